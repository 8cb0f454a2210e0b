package dev.ferry.vmruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVM probe answers within its timeout, and an explicit setting wins. */
class AcceleratorTest {
    @TempDir
    Path dir;

    @Test
    void theProbeAnswersInTimeWithKvmOrTcg() throws Exception {
        long started = System.nanoTime();
        String chosen = Accelerator.probe(dir, Duration.ofSeconds(8));
        assertThat(chosen).isIn(Accelerator.KVM, Accelerator.TCG);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        System.out.println("accelerator on this machine: " + chosen);
    }

    @Test
    void anExplicitSettingIsNotProbed() throws Exception {
        assertThat(Accelerator.choose("qemu", dir, Duration.ofSeconds(1))).isEqualTo(Accelerator.TCG);
        assertThat(Accelerator.choose("kvm", dir, Duration.ofSeconds(1))).isEqualTo(Accelerator.KVM);
    }
}
