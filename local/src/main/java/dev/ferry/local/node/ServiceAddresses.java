package dev.ferry.local.node;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cluster DNS for local mode's Pods: a Service's name in a worker's environment
 * ({@code <service>.<namespace>.svc[.cluster.local][:port]}, as controllers write URLs) becomes
 * the loopback address of the Pod the Service selects — every local Pod shares loopback, each on
 * the port the node gave it.
 */
final class ServiceAddresses {
    private static final Pattern SERVICE = Pattern.compile(
            "(?<=://)([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.svc(\\.cluster\\.local)?(:[0-9]{1,5})?(?=[/?]|$)");

    /** Finds the port of a running Pod service {@code namespace/name} selects, or null. */
    @FunctionalInterface
    interface Endpoints {
        Integer port(String namespace, String service);
    }

    /** A Service a value names has no running Pod behind it yet. */
    static final class NotReadyException extends Exception {
        NotReadyException(String message) {
            super(message);
        }
    }

    private ServiceAddresses() {
    }

    /** {@code env} with each Service address replaced by its Pod's loopback address. */
    static Map<String, String> resolve(Map<String, String> env, Endpoints endpoints) throws NotReadyException {
        Map<String, String> resolved = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> var : env.entrySet()) {
            Matcher m = SERVICE.matcher(var.getValue());
            StringBuilder value = new StringBuilder();
            while (m.find()) {
                Integer port = endpoints.port(m.group(3), m.group(1));
                if (port == null) {
                    throw new NotReadyException("Service " + m.group(3) + "/" + m.group(1) + " (named by " + var.getKey()
                            + ") has no running Pod yet");
                }
                m.appendReplacement(value, Matcher.quoteReplacement("127.0.0.1:" + port));
            }
            m.appendTail(value);
            resolved.put(var.getKey(), value.toString());
        }
        return resolved;
    }
}
