package dev.lethe.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lethe.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes what the Kotlin kernel (kotlin-jupyter-kernel 0.11.0-398, run on JDK 17) needs to offer
 * {@code %use lethe}: a kernelspec {@code <kernels>/lethe-kotlin/kernel.json} that starts the kernel from a
 * folder of its jars, a WARN-level {@code logback.xml} (the kernel logs everything at DEBUG by default), and the
 * library descriptor {@code lethe.json} whose dependencies are Lethe's jars (or class folders). The 0.11 kernel
 * finds {@code %use} descriptors in {@code <user.home>/.jupyter_kotlin/libraries} (not under its {@code -home}),
 * so that is where the descriptor goes; tests give their kernel another {@code user.home}.
 * {@code ./lethe jupyter --install} calls {@link #main}; the notebook tests call the methods directly.
 */
public final class KernelSetup {
    /** The kernelspec's name, which notebooks name in their metadata. */
    public static final String KERNEL_NAME = "lethe-kotlin";
    /** The jars the kernel compiles notebook code against (its script classpath). */
    private static final Pattern SCRIPT_JARS = Pattern.compile(
            "(kotlin-jupyter-api|kotlin-jupyter-lib|kotlin-stdlib|kotlin-reflect|kotlin-script-runtime)-\\d.*\\.jar");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private KernelSetup() {}

    /**
     * Writes {@code <kernelsDir>/lethe-kotlin/kernel.json} and {@code <home>/logback.xml}.
     *
     * @param kernelsDir a Jupyter {@code kernels} folder, e.g. {@code ~/.local/share/jupyter/kernels}
     * @param javaExecutable the {@code java} of a JDK 17 (the kernel fails on later JDKs)
     * @param kernelLib the folder holding kotlin-jupyter-kernel and its dependencies
     * @param home the kernel's home (and where {@code logback.xml} goes)
     * @param jvmOptions further options for the kernel's JVM, e.g. {@code -Duser.home=...}
     * @return the kernel.json written
     * @throws IllegalArgumentException when {@code kernelLib} lacks the kernel's jars
     */
    public static Path writeKernelSpec(Path kernelsDir, Path javaExecutable, Path kernelLib, Path home,
            List<String> jvmOptions) {
        List<String> scriptJars = new ArrayList<>();
        try (Stream<Path> files = Files.list(kernelLib)) {
            files.filter(f -> SCRIPT_JARS.matcher(f.getFileName().toString()).matches()).sorted()
                    .forEach(f -> scriptJars.add(f.toAbsolutePath().toString()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list the kernel's jars in " + kernelLib, e);
        }
        if (scriptJars.size() < 5) {
            throw new IllegalArgumentException(kernelLib + " does not hold the Kotlin kernel's jars (found " + scriptJars
                    + "); run ./lethe jupyter --install");
        }
        Path logback = home.resolve("logback.xml");
        AtomicFiles.writeString(logback, """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%level %logger{20}: %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="STDERR"/></root>
                </configuration>
                """);
        List<String> argv = new ArrayList<>(List.of(javaExecutable.toAbsolutePath().toString(), "-Xss4m",
                "-Dai.djl.offline=true", "-Dlogback.configurationFile=" + logback.toAbsolutePath()));
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-cp", kernelLib.toAbsolutePath() + "/*", "org.jetbrains.kotlinx.jupyter.IkotlinKt",
                "{connection_file}", "-home=" + home.toAbsolutePath(),
                "-cp=" + String.join(java.io.File.pathSeparator, scriptJars)));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", "Kotlin (Lethe)");
        spec.put("language", "kotlin");
        spec.put("interrupt_mode", "message");
        Path file = kernelsDir.resolve(KERNEL_NAME).resolve("kernel.json");
        writeJson(file, spec);
        return file;
    }

    /** Where the kernel looks for {@code %use} descriptors when its {@code user.home} is {@code userHome}. */
    public static Path librariesDir(Path userHome) {
        return userHome.resolve(".jupyter_kotlin").resolve("libraries");
    }

    /**
     * Writes {@code <librariesDir>/lethe.json}, the descriptor {@code %use lethe} loads: its dependencies are
     * {@code classpath} (absolute jar or class-folder paths; one of them must hold this integration).
     *
     * @return the descriptor written
     * @throws IllegalArgumentException when {@code classpath} is empty or names something that does not exist
     */
    public static Path writeLibraryDescriptor(Path librariesDir, List<Path> classpath) {
        if (classpath.isEmpty()) {
            throw new IllegalArgumentException("the %use lethe descriptor needs at least one jar");
        }
        List<String> dependencies = new ArrayList<>();
        for (Path p : classpath) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("classpath entry " + p + " does not exist");
            }
            dependencies.add(p.toAbsolutePath().toString());
        }
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("description", "Lethe: a JVM workbench for machine-unlearning research");
        descriptor.put("dependencies", dependencies);
        Path file = librariesDir.resolve("lethe.json");
        writeJson(file, descriptor);
        return file;
    }

    /**
     * {@code KernelSetup <kernelsDir> <java> <kernelLib> <home> <jar or folder>...}: writes the kernelspec and the
     * descriptor (into {@link #librariesDir} of this JVM's {@code user.home}); a folder argument adds every jar in it.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 5) {
            throw new IllegalArgumentException(
                    "usage: KernelSetup <kernelsDir> <java> <kernelLib> <home> <jar or folder of jars>...");
        }
        Path home = Path.of(args[3]);
        List<Path> classpath = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            Path p = Path.of(args[i]);
            if (Files.isDirectory(p) && !Files.exists(p.resolve("META-INF"))) {
                try (Stream<Path> jars = Files.list(p)) {
                    jars.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(classpath::add);
                }
            } else {
                classpath.add(p);
            }
        }
        System.out.println(writeKernelSpec(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), home, List.of()));
        System.out.println(writeLibraryDescriptor(librariesDir(Path.of(System.getProperty("user.home"))), classpath));
    }

    private static void writeJson(Path file, Object value) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(value) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
