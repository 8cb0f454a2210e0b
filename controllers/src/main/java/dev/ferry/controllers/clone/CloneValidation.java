package dev.ferry.controllers.clone;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * CDI's clone validation ({@code validateClone}): content types match, and the target holds the
 * source — compared by usable space, a filesystem volume's request less the filesystem overhead
 * (rounded down to MiB), so a Block source fits a Filesystem target of the same request.
 */
final class CloneValidation {
    private static final long MIB = 1 << 20;

    private CloneValidation() {
    }

    /** What is wrong, or null. */
    static String problem(CloneObserved o) {
        String target = CloneClaims.contentType(o.dv());
        if (!o.source().snapshot() && !target.equals(o.source().contentType())) {
            return "source contentType (" + o.source().contentType() + ") and target contentType (" + target + ") do not match";
        }
        long requested = CloneClaims.requested(CloneClaims.target(o, null, null));
        long source = o.source().size();
        BigDecimal overhead = o.storage().filesystemOverhead();
        if (source > 0 && usable(requested, CloneDecision.targetMode(o), overhead) < usable(source, o.source().volumeMode(), overhead)) {
            return "target resources requests storage size is smaller than the source: the target requests " + requested
                    + " bytes (" + CloneDecision.targetMode(o) + "), the source holds " + source + " (" + o.source().volumeMode() + ")";
        }
        return null;
    }

    static long usable(long size, String mode, BigDecimal overhead) {
        if (!"Filesystem".equals(mode)) {
            return size;
        }
        long space = new BigDecimal(size).divide(BigDecimal.ONE.add(overhead), 0, RoundingMode.DOWN).longValue();
        return space / MIB * MIB;
    }
}
