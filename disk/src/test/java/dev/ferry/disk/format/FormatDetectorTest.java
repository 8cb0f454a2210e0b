package dev.ferry.disk.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FormatDetectorTest {
    @Test
    void detectsByMagic() {
        assertThat(detect(bytes(0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3))).isEqualTo(ImageFormat.QCOW2);
        assertThat(detect(bytes(0x1f, 0x8b, 8))).isEqualTo(ImageFormat.GZIP);
        assertThat(detect(bytes(0xfd, '7', 'z', 'X', 'Z', 0))).isEqualTo(ImageFormat.XZ);
        assertThat(detect(bytes(0x28, 0xb5, 0x2f, 0xfd))).isEqualTo(ImageFormat.ZSTD);
        assertThat(detect("KDMV".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ImageFormat.VMDK);
        assertThat(detect("vhdxfile".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ImageFormat.VHDX);
        assertThat(detect("conectix".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ImageFormat.VHD);
    }

    @Test
    void detectsTarIsoAndVdiAtTheirOffsets() {
        byte[] tar = new byte[512];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
        assertThat(detect(tar)).isEqualTo(ImageFormat.TAR);

        byte[] iso = new byte[0x8010];
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, 0x8001, 5);
        assertThat(detect(iso)).isEqualTo(ImageFormat.ISO);

        byte[] vdi = new byte[0x48];
        vdi[0x40] = 0x7f;
        vdi[0x41] = 0x10;
        vdi[0x42] = (byte) 0xda;
        vdi[0x43] = (byte) 0xbe;
        assertThat(detect(vdi)).isEqualTo(ImageFormat.VDI);
    }

    @Test
    void anythingElseIsRawEvenWhenShort() {
        assertThat(detect(new byte[0])).isEqualTo(ImageFormat.RAW);
        assertThat(detect(bytes(0x51, 0x46))).isEqualTo(ImageFormat.RAW);
        assertThat(detect(new byte[100_000])).isEqualTo(ImageFormat.RAW);
    }

    private static ImageFormat detect(byte[] head) {
        return FormatDetector.detect(head, head.length);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
