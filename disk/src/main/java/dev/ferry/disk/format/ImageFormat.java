package dev.ferry.disk.format;

/** The container formats the engine recognises by their magic bytes. */
public enum ImageFormat {
    QCOW2("qcow2", Kind.IMAGE),
    RAW("raw", Kind.IMAGE),
    ISO("iso", Kind.IMAGE),
    GZIP("gz", Kind.COMPRESSION),
    XZ("xz", Kind.COMPRESSION),
    ZSTD("zstd", Kind.COMPRESSION),
    TAR("tar", Kind.ARCHIVE),
    VMDK("vmdk", Kind.UNSUPPORTED),
    VHD("vhd", Kind.UNSUPPORTED),
    VHDX("vhdx", Kind.UNSUPPORTED),
    VDI("vdi", Kind.UNSUPPORTED);

    /** What the pipeline does with a format. */
    public enum Kind { IMAGE, COMPRESSION, ARCHIVE, UNSUPPORTED }

    private final String label;
    private final Kind kind;

    ImageFormat(String label, Kind kind) {
        this.label = label;
        this.kind = kind;
    }

    public String label() {
        return label;
    }

    public Kind kind() {
        return kind;
    }
}
