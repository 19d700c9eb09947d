package dev.lethe.kernel;

import java.util.Map;
import org.jetbrains.kotlinx.jupyter.api.MimeTypedResult;

/** Builds the kernel's display values. */
final class Mime {
    private Mime() {}

    /** An output with an HTML and a plain-text representation. */
    static MimeTypedResult html(String html, String text) {
        return new MimeTypedResult(Map.of("text/html", html, "text/plain", text), false, null);
    }
}
