package dev.lethe.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Headless Chromium, offline, as the tests run it (flags from the project's STACK notes). */
final class Chromium {
    private Chromium() {}

    /** The browser's path, or null where none is installed. */
    static @Nullable String find() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    /** The command that prints {@code page}'s DOM after its scripts ran, with a fresh profile in {@code profile}. */
    static List<String> dumpDom(String chromium, Path profile, Path page) {
        return List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", page.toUri().toString());
    }
}
