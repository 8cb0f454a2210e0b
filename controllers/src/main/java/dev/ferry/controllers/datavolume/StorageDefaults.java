package dev.ferry.controllers.datavolume;

import java.math.BigDecimal;
import java.util.List;

/**
 * What a StorageProfile recommends for a storage class, used to complete {@code spec.storage}:
 * access modes, volume mode and the share of a filesystem volume lost to filesystem overhead
 * (CDI's default is 5.5 %).
 */
public record StorageDefaults(List<String> accessModes, String volumeMode, BigDecimal filesystemOverhead) {
    public static final BigDecimal CDI_DEFAULT_OVERHEAD = new BigDecimal("0.055");

    public static StorageDefaults cdiDefaults() {
        return new StorageDefaults(List.of("ReadWriteOnce"), "Filesystem", CDI_DEFAULT_OVERHEAD);
    }
}
