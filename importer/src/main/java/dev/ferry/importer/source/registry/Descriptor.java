package dev.ferry.importer.source.registry;

/** An OCI/Docker content descriptor: what a manifest says about a blob or a child manifest. */
public record Descriptor(String mediaType, String digest, long size) {
}
