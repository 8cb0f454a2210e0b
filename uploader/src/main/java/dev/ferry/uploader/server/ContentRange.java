package dev.ferry.uploader.server;

/**
 * {@code Content-Range: bytes START-END/TOTAL} (TOTAL may be {@code *}) on a request that
 * resumes an upload: the body holds bytes START to END inclusive.
 */
record ContentRange(long start, long end, long total) {
    static final long UNKNOWN = -1;

    /** Parses the header; throws {@link IllegalArgumentException} with what was wrong. */
    static ContentRange parse(String header) {
        String value = header.trim();
        if (!value.startsWith("bytes ")) {
            throw new IllegalArgumentException("Content-Range must look like 'bytes START-END/TOTAL', got '" + header + "'");
        }
        int dash = value.indexOf('-');
        int slash = value.indexOf('/');
        if (dash < 0 || slash < dash) {
            throw new IllegalArgumentException("Content-Range must look like 'bytes START-END/TOTAL', got '" + header + "'");
        }
        try {
            long start = Long.parseLong(value.substring(6, dash).trim());
            long end = Long.parseLong(value.substring(dash + 1, slash).trim());
            String totalText = value.substring(slash + 1).trim();
            long total = "*".equals(totalText) ? UNKNOWN : Long.parseLong(totalText);
            if (start < 0 || end < start || (total != UNKNOWN && end >= total)) {
                throw new IllegalArgumentException("Content-Range " + header + " is not a range inside the upload");
            }
            return new ContentRange(start, end, total);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Content-Range must look like 'bytes START-END/TOTAL', got '" + header + "'");
        }
    }

    long length() {
        return end - start + 1;
    }
}
