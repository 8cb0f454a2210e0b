package dev.ferry.vmruntime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cloud-init NoCloud seed (volume label {@code cidata}: {@code meta-data}, {@code user-data},
 * optionally {@code network-config}), written by Ferry itself as an ISO 9660 image with Joliet
 * names — what KubeVirt makes with genisoimage. The primary volume carries strict 8.3 names
 * (USER_DAT.;1); Joliet carries the real ones, which Linux and cloud-init read.
 *
 * <p>Layout, 2048-byte sectors: 16 empty, the primary and Joliet volume descriptors and the
 * terminator, four path tables (one root entry each), the two root directories, then each file.
 */
public final class CloudInitIso {
    private static final int SECTOR = 2048;
    /** cloud-init's own limit for user-data is far larger than anything sane; this bounds what a VMI can make Ferry write. */
    public static final int MAX_FILE = 16 * 1024 * 1024;

    private CloudInitIso() {
    }

    /** The NoCloud files, in the order they are written: meta-data, user-data, network-config if given. */
    public static Map<String, byte[]> seed(String instanceId, String hostname, String userData, String networkData) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("meta-data", ("instance-id: " + instanceId + "\nlocal-hostname: " + hostname + "\n").getBytes(StandardCharsets.UTF_8));
        files.put("user-data", (userData == null ? "" : userData).getBytes(StandardCharsets.UTF_8));
        if (networkData != null) {
            files.put("network-config", networkData.getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    /** Writes {@code files} (name → content) as an ISO 9660 + Joliet image labelled {@code label}. */
    public static void write(Path target, String label, Map<String, byte[]> files) throws IOException {
        List<Map.Entry<String, byte[]>> sorted = new ArrayList<>(files.entrySet());
        sorted.sort(Comparator.comparing(e -> shortName(e.getKey())));
        for (Map.Entry<String, byte[]> file : sorted) {
            if (file.getValue().length > MAX_FILE) {
                throw new IllegalArgumentException("cloud-init " + file.getKey() + " is " + file.getValue().length
                        + " bytes; at most " + MAX_FILE + " are written");
            }
        }
        int pathTables = 19;
        int primaryRoot = 23;
        int jolietRoot = 24;
        int next = 25;
        int[] extents = new int[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            extents[i] = next;
            next += Math.max(1, sectors(sorted.get(i).getValue().length));
        }
        int total = next;
        ByteBuffer image = ByteBuffer.allocate(total * SECTOR);
        byte[] now = recordingDate();

        byte[] primaryDir = directory(primaryRoot, sorted, extents, false, now);
        byte[] jolietDir = directory(jolietRoot, sorted, extents, true, now);
        descriptor(image, 16, 1, label, total, pathTables, pathTables + 1, primaryRoot, false, now);
        descriptor(image, 17, 2, label, total, pathTables + 2, pathTables + 3, jolietRoot, true, now);
        image.position(18 * SECTOR);
        image.put((byte) 255).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);
        pathTable(image, pathTables, primaryRoot, ByteOrder.LITTLE_ENDIAN);
        pathTable(image, pathTables + 1, primaryRoot, ByteOrder.BIG_ENDIAN);
        pathTable(image, pathTables + 2, jolietRoot, ByteOrder.LITTLE_ENDIAN);
        pathTable(image, pathTables + 3, jolietRoot, ByteOrder.BIG_ENDIAN);
        image.position(primaryRoot * SECTOR);
        image.put(primaryDir);
        image.position(jolietRoot * SECTOR);
        image.put(jolietDir);
        for (int i = 0; i < sorted.size(); i++) {
            image.position(extents[i] * SECTOR);
            image.put(sorted.get(i).getValue());
        }
        Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".cidata", ".iso");
        Files.write(temp, image.array());
        Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static int sectors(long bytes) {
        return (int) ((bytes + SECTOR - 1) / SECTOR);
    }

    /** ISO 9660 level 1: up to 8 d-characters, a dot, up to 3, ";1". */
    static String shortName(String name) {
        String upper = name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_.]", "_");
        int dot = upper.lastIndexOf('.');
        String base = dot < 0 ? upper : upper.substring(0, dot);
        String ext = dot < 0 ? "" : upper.substring(dot + 1);
        base = base.replace('.', '_');
        return base.substring(0, Math.min(8, base.length())) + "." + ext.substring(0, Math.min(3, ext.length())) + ";1";
    }

    private static byte[] directory(int self, List<Map.Entry<String, byte[]>> files, int[] extents, boolean joliet, byte[] date) {
        ByteBuffer dir = ByteBuffer.allocate(SECTOR);
        record(dir, self, SECTOR, true, new byte[] {0}, date);
        record(dir, self, SECTOR, true, new byte[] {1}, date);
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).getKey();
            byte[] id = joliet ? name.getBytes(StandardCharsets.UTF_16BE) : shortName(name).getBytes(StandardCharsets.US_ASCII);
            record(dir, extents[i], files.get(i).getValue().length, false, id, date);
        }
        return dir.array();
    }

    private static void record(ByteBuffer dir, int extent, int length, boolean directory, byte[] id, byte[] date) {
        int size = 33 + id.length + (id.length % 2 == 0 ? 1 : 0);
        if (dir.remaining() < size) {
            throw new IllegalStateException("too many cloud-init files for one directory sector");
        }
        dir.put((byte) size).put((byte) 0);
        both32(dir, extent);
        both32(dir, length);
        dir.put(date);
        dir.put((byte) (directory ? 2 : 0)).put((byte) 0).put((byte) 0);
        both16(dir, 1);
        dir.put((byte) id.length).put(id);
        if (id.length % 2 == 0) {
            dir.put((byte) 0);
        }
    }

    private static void descriptor(ByteBuffer image, int sector, int type, String label, int total, int lTable, int mTable,
            int root, boolean joliet, byte[] date) {
        image.position(sector * SECTOR);
        image.put((byte) type).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        image.put(text("FERRY", 32, joliet));
        image.put(text(label, 32, joliet));
        image.put(new byte[8]);
        both32(image, total);
        byte[] escapes = new byte[32];
        if (joliet) {
            escapes[0] = 0x25;
            escapes[1] = 0x2F;
            escapes[2] = 0x45; // UCS-2 level 3
        }
        image.put(escapes);
        both16(image, 1);
        both16(image, 1);
        both16(image, SECTOR);
        both32(image, 10);
        image.order(ByteOrder.LITTLE_ENDIAN).putInt(lTable).putInt(0);
        image.order(ByteOrder.BIG_ENDIAN).putInt(mTable).putInt(0);
        ByteBuffer rootRecord = ByteBuffer.allocate(34);
        record(rootRecord, root, SECTOR, true, new byte[] {0}, date);
        image.put(rootRecord.array());
        image.put(text("", 128, joliet));                    // volume set
        image.put(text("", 128, joliet));                    // publisher
        image.put(text("", 128, joliet));                    // data preparer
        image.put(text("FERRY CLOUD-INIT NOCLOUD", 128, joliet)); // application
        image.put(text("", 37, joliet)).put(text("", 37, joliet)).put(text("", 37, joliet));
        byte[] stamp = volumeDate();
        image.put(stamp).put(stamp).put(unset()).put(unset());
        image.put((byte) 1);
    }

    /** a-characters / d-characters space-padded, or UCS-2BE for Joliet (an odd length ends with one 0x20). */
    private static byte[] text(String value, int length, boolean joliet) {
        byte[] out = new byte[length];
        if (joliet) {
            for (int i = 0; i + 1 < length; i += 2) {
                out[i] = 0;
                out[i + 1] = 0x20;
            }
            if (length % 2 == 1) {
                out[length - 1] = 0x20;
            }
            byte[] ucs = value.getBytes(StandardCharsets.UTF_16BE);
            System.arraycopy(ucs, 0, out, 0, Math.min(ucs.length, length - length % 2));
        } else {
            java.util.Arrays.fill(out, (byte) ' ');
            byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(ascii, 0, out, 0, Math.min(ascii.length, length));
        }
        return out;
    }

    private static void pathTable(ByteBuffer image, int sector, int root, ByteOrder order) {
        image.position(sector * SECTOR);
        image.put((byte) 1).put((byte) 0);
        image.order(order).putInt(root).putShort((short) 1);
        image.order(ByteOrder.BIG_ENDIAN);
        image.put((byte) 0).put((byte) 0);
    }

    private static void both32(ByteBuffer buffer, int value) {
        buffer.order(ByteOrder.LITTLE_ENDIAN).putInt(value);
        buffer.order(ByteOrder.BIG_ENDIAN).putInt(value);
    }

    private static void both16(ByteBuffer buffer, int value) {
        buffer.order(ByteOrder.LITTLE_ENDIAN).putShort((short) value);
        buffer.order(ByteOrder.BIG_ENDIAN).putShort((short) value);
    }

    private static byte[] recordingDate() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        return new byte[] {(byte) (now.getYear() - 1900), (byte) now.getMonthValue(), (byte) now.getDayOfMonth(),
                (byte) now.getHour(), (byte) now.getMinute(), (byte) now.getSecond(), 0};
    }

    private static byte[] volumeDate() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] digits = String.format(Locale.ROOT, "%04d%02d%02d%02d%02d%02d00", now.getYear(), now.getMonthValue(),
                now.getDayOfMonth(), now.getHour(), now.getMinute(), now.getSecond()).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[17];
        System.arraycopy(digits, 0, out, 0, 16);
        return out;
    }

    private static byte[] unset() {
        byte[] out = new byte[17];
        java.util.Arrays.fill(out, 0, 16, (byte) '0');
        return out;
    }
}
