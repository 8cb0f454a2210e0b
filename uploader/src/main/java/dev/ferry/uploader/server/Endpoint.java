package dev.ferry.uploader.server;

import java.util.Optional;

/**
 * CDI's upload paths, shared by the upload server and the proxy: {@code /v1beta1/upload}
 * answers when the disk is written and synced, {@code -async} when the bytes are received;
 * {@code upload-form} variants take a multipart form. {@code /v1alpha1/...} are aliases.
 */
public enum Endpoint {
    UPLOAD("upload", false, false),
    UPLOAD_ASYNC("upload-async", true, false),
    FORM("upload-form", false, true),
    FORM_ASYNC("upload-form-async", true, true);

    private static final String[] VERSIONS = {"/v1beta1/", "/v1alpha1/"};

    private final String name;
    private final boolean async;
    private final boolean form;

    Endpoint(String name, boolean async, boolean form) {
        this.name = name;
        this.async = async;
        this.form = form;
    }

    /** The endpoint for a request URI (query ignored), if it is an upload path. */
    public static Optional<Endpoint> of(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        for (String version : VERSIONS) {
            if (path.startsWith(version)) {
                String rest = path.substring(version.length());
                for (Endpoint endpoint : values()) {
                    if (endpoint.name.equals(rest)) {
                        return Optional.of(endpoint);
                    }
                }
            }
        }
        return Optional.empty();
    }

    public boolean async() {
        return async;
    }

    public boolean form() {
        return form;
    }

    public String path() {
        return VERSIONS[0] + name;
    }
}
