package dev.ferry.disk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real tools tests make their inputs with (qemu-img, qemu-io, gzip, xz, zstd). A missing
 * tool fails the test loudly with the fix, never skips it.
 */
public final class Tools {
    private Tools() {
    }

    /** Runs a command, failing the test with its output unless it exits 0. Returns stdout. */
    public static String run(String... command) {
        Result result = exec(command);
        assertThat(result.exitCode).as("`%s` failed:%n%s", String.join(" ", command), result.output).isZero();
        return result.output;
    }

    /** Runs a command and returns its exit code and combined output. */
    public static Result exec(String... command) {
        require(command[0]);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("`" + String.join(" ", command) + "` timed out");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run " + Arrays.toString(command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Exit code and output of a command. */
    public record Result(int exitCode, String output) {
    }

    public static void require(String tool) {
        if (tool.startsWith("/") && Files.isExecutable(Path.of(tool))) {
            return;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw new AssertionError(tool + " is not installed: run `make deps` (installs qemu-utils, xz-utils, zstd ...)");
    }

    /** {@code qemu-img create -f qcow2 -o OPTS path size}. */
    public static Path qcow2(Path path, String size, String options) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        if (!options.isEmpty()) {
            command.addAll(List.of("-o", options));
        }
        command.addAll(List.of(path.toString(), size));
        run(command.toArray(String[]::new));
        return path;
    }

    /** Runs qemu-io commands ({@code write -P 0xab 0 64k}, {@code write -z 1M 64k}) against an image. */
    public static void qemuIo(Path image, String format, String... commands) {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", format));
        for (String c : commands) {
            command.addAll(List.of("-c", c));
        }
        command.add(image.toString());
        run(command.toArray(String[]::new));
    }

    /** A raw disk holds exactly an image's content: {@code qemu-img compare}, and the same size. */
    public static void assertIdentical(Path raw, Path image) {
        Result result = exec("qemu-img", "compare", "-f", "raw", raw.toString(), image.toString());
        assertThat(result.exitCode).as("qemu-img compare %s %s: %s", raw, image, result.output).isZero();
        try {
            assertThat(Files.size(raw)).as("size of %s", raw).isEqualTo(virtualSize(image));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The virtual size qemu-img reports for an image. */
    public static long virtualSize(Path image) {
        String json = run("qemu-img", "info", "--output=json", image.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"virtual-size\":\\s*(\\d+)").matcher(json);
        assertThat(m.find()).as("virtual-size in %s", json).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Allocated bytes of a file, as {@code du} counts them. */
    public static long allocated(Path file) {
        return Long.parseLong(run("stat", "-c", "%b", file.toString()).trim()) * 512;
    }
}
