package dev.ferry.uploader.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaked a ByteBuf (checked after it, with paranoid detection on). */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        assertThat(ResourceLeakDetector.getLevel()).as("surefire sets -Dio.netty.leakDetection.level=paranoid")
                .isEqualTo(ResourceLeakDetector.Level.PARANOID);
        LeakRecorder.collect();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertThat(LeakRecorder.collect()).as("ByteBuf leaks").isEmpty();
    }
}
