package dev.ferry.snapshot.export;

/** One byte range of an HTTP Range header ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}), as {@code [start, end)}. */
record ByteRange(long start, long end) {

    /** The range {@code header} asks of a {@code size}-byte body; null for the whole body. */
    static ByteRange parse(String header, long size) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String spec = header.strip();
        if (!spec.startsWith("bytes=") || spec.indexOf(',') >= 0) {
            throw new IllegalArgumentException("only one range of bytes is served, not " + header);
        }
        String[] parts = spec.substring("bytes=".length()).split("-", -1);
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            long start;
            long end;
            if (parts[0].isEmpty()) {
                long suffix = Long.parseLong(parts[1]);
                start = Math.max(0, size - suffix);
                end = size;
            } else {
                start = Long.parseLong(parts[0]);
                end = parts[1].isEmpty() ? size : Math.min(size, Long.parseLong(parts[1]) + 1);
            }
            if (start < 0 || start >= size || end <= start) {
                throw new IllegalArgumentException("range " + header + " is outside the disk's " + size + " bytes");
            }
            return new ByteRange(start, end);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed range " + header);
        }
    }
}
