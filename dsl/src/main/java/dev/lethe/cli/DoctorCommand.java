package dev.lethe.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.Lethe;
import dev.lethe.run.Threads;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/** {@code lethe doctor}: what Lethe runs on here, and whether the engine computes. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show the Java, DJL engine, device, threads and caches, and check that the engine computes.")
final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        PrintStream out = System.out;
        out.printf("lethe        %s%n", Lethe.VERSION);
        out.printf("java         %s (%s), %d processors, max heap %d MiB%n", System.getProperty("java.version"),
                System.getProperty("java.vendor"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        Engine engine = Engine.getInstance();
        out.printf("engine       %s %s, %d GPU(s) visible, default device %s%n", engine.getEngineName(),
                engine.getVersion(), engine.getGpuCount(), engine.defaultDevice());
        out.printf("threads      %d intra-op (-D%s)%n", Threads.configured(), Threads.PROPERTY);
        out.printf("offline      ai.djl.offline=%s%n", System.getProperty("ai.djl.offline", "false"));
        Path home = Path.of(System.getProperty("user.home"));
        out.printf("engine cache %s (%s)%n", home.resolve(".djl.ai"), size(home.resolve(".djl.ai")));
        out.printf("model cache  %s (%s)%n", home.resolve(".cache/lethe/models"), size(home.resolve(".cache/lethe/models")));
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            float trace = a.matMul(a).get("0,0").getFloat() + a.matMul(a).get("1,1").getFloat();
            boolean ok = trace == 7f + 22f;
            out.printf("compute      2x2 matmul on cpu: %s%n", ok ? "ok" : "WRONG (" + trace + ")");
            return ok ? 0 : 1;
        }
    }

    private static String size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "absent";
        }
        try (Stream<Path> files = Files.walk(dir)) {
            long bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            return (bytes >> 20) + " MiB";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
