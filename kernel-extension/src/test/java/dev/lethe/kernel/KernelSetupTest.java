package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSetupTest {

    @Test
    void theKernelspecStartsTheKernelOnItsJarsWithTheScriptClasspath(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        for (String jar : List.of("kotlin-jupyter-kernel-0.11.0-398.jar", "kotlin-jupyter-api-0.11.0-398.jar",
                "kotlin-jupyter-lib-0.11.0-398.jar", "kotlin-stdlib-1.8.20.jar", "kotlin-stdlib-jdk8-1.8.20.jar",
                "kotlin-reflect-1.8.20.jar", "kotlin-script-runtime-1.8.20.jar", "jna-5.17.0.jar")) {
            Files.createFile(lib.resolve(jar));
        }
        Path spec = KernelSetup.writeKernelSpec(dir.resolve("kernels"), Path.of("/jdk17/bin/java"), lib,
                dir.resolve("home"), List.of("-Dx=y"));
        assertEquals(dir.resolve("kernels/lethe-kotlin/kernel.json"), spec);
        JsonNode json = new ObjectMapper().readTree(spec.toFile());
        List<String> argv = new ObjectMapper().convertValue(json.get("argv"), List.class);
        assertEquals("/jdk17/bin/java", argv.get(0));
        assertTrue(argv.contains("-Dai.djl.offline=true") && argv.contains("-Dx=y"));
        assertTrue(argv.contains("-Dlogback.configurationFile=" + dir.resolve("home/logback.xml")));
        assertEquals(lib + "/*", argv.get(argv.indexOf("-cp") + 1));
        assertEquals("{connection_file}", argv.get(argv.indexOf("org.jetbrains.kotlinx.jupyter.IkotlinKt") + 1));
        String scriptCp = argv.get(argv.size() - 1);
        assertEquals("-cp=" + String.join(":", lib.resolve("kotlin-jupyter-api-0.11.0-398.jar").toString(),
                lib.resolve("kotlin-jupyter-lib-0.11.0-398.jar").toString(), lib.resolve("kotlin-reflect-1.8.20.jar").toString(),
                lib.resolve("kotlin-script-runtime-1.8.20.jar").toString(), lib.resolve("kotlin-stdlib-1.8.20.jar").toString()),
                scriptCp);
        assertEquals("message", json.get("interrupt_mode").asText());
        assertTrue(Files.readString(dir.resolve("home/logback.xml")).contains("<root level=\"WARN\">"));
    }

    @Test
    void aLibFolderWithoutTheKernelIsRejected(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelSetup.writeKernelSpec(dir, Path.of("java"), Files.createDirectories(dir.resolve("empty")), dir,
                        List.of()));
        assertTrue(e.getMessage().contains("./lethe jupyter --install"), e.getMessage());
    }

    @Test
    void theDescriptorListsTheClasspathAndRejectsWhatDoesNotExist(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("a.jar"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path file = KernelSetup.writeLibraryDescriptor(KernelSetup.librariesDir(dir), List.of(jar, classes));
        assertEquals(dir.resolve(".jupyter_kotlin/libraries/lethe.json"), file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals(List.of(jar.toString(), classes.toString()),
                new ObjectMapper().convertValue(json.get("dependencies"), List.class));
        assertThrows(IllegalArgumentException.class,
                () -> KernelSetup.writeLibraryDescriptor(dir, List.of(dir.resolve("missing.jar"))));
        assertThrows(IllegalArgumentException.class, () -> KernelSetup.writeLibraryDescriptor(dir, List.of()));
    }
}
