package dev.lethe.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.Lethe;
import dev.lethe.run.EngineCache;
import dev.lethe.run.Runner;
import dev.lethe.run.Threads;
import dev.lethe.util.Printable;
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
        Path libtorchOverride = EngineCache.libtorchOverride();
        out.printf("libtorch     %s%n", libtorchOverride != null
                ? "from " + EngineCache.PYTORCH_LIBRARY_PATH + "=" + Printable.escape(libtorchOverride.toString())
                : "extracted to and loaded from " + Printable.escape(EngineCache.directory().toString()));
        String unsafe = EngineCache.problem();
        out.printf("native libs  %s%n", unsafe == null ? "ok (only you or root can write there)" : "UNSAFE: " + unsafe);
        if (unsafe != null) {
            out.println("engine       not started: the native libraries' folder is unsafe");
            return BadInput.EXIT;
        }
        Engine engine = Engine.getInstance();
        out.printf("engine       %s %s, %d GPU(s) visible, default device %s%n", engine.getEngineName(),
                engine.getVersion(), engine.getGpuCount(), engine.defaultDevice());
        out.printf("threads      %d intra-op (-D%s)%n", Threads.configured(), Threads.PROPERTY);
        out.printf("offline      ai.djl.offline=%s%n", System.getProperty("ai.djl.offline", "false"));
        out.printf("engine cache %s (%s)%n", Printable.escape(EngineCache.directory().toString()),
                size(EngineCache.directory()));
        Path models = Runner.defaultCache();
        out.printf("model cache  %s%n", models == null ? "off (lethe.cache / LETHE_CACHE say off)"
                : Printable.escape(models.toString()) + " (" + size(models) + ")");
        out.printf("loaded       %s%n", loadedLibtorch());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            float trace = a.matMul(a).get("0,0").getFloat() + a.matMul(a).get("1,1").getFloat();
            boolean ok = trace == 7f + 22f;
            out.printf("compute      2x2 matmul on cpu: %s%n", ok ? "ok" : "WRONG (" + trace + ")");
            return ok ? 0 : 1;
        }
    }

    /** Where the running process mapped libtorch from (Linux: /proc/self/maps), or why that is not known. */
    private static String loadedLibtorch() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return "unknown on this system";
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(f -> f.startsWith("/") && f.contains("libtorch"))
                    .map(f -> Printable.escape(Path.of(f).getParent().toString())).findFirst()
                    .orElse("no libtorch mapped");
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
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
