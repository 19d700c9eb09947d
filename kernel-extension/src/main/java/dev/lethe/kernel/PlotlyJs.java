package dev.lethe.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * plotly.js 2.35.3 (npm's minified {@code plotly.js-dist-min}, which lethe-dsl's build puts on the class path, the
 * same copy as HTML reports) as an inline {@code <script>}, handed out
 * once per kernel session: the first figure a session renders carries it, later ones rely on {@code window.Plotly}.
 * The library is evaluated with {@code define}, {@code module} and {@code exports} shadowed, so its UMD header
 * always sets {@code window.Plotly} — also where require.js is loaded (classic Notebook), which would otherwise
 * receive an anonymous {@code define} and leave {@code Plotly} undefined.
 */
final class PlotlyJs {
    private static final String RESOURCE = "dev/lethe/report/plotly/plotly.min.js";
    private static final AtomicBoolean SENT = new AtomicBoolean();

    private PlotlyJs() {}

    /** The script on the first call of this kernel session (JVM), then the empty string. */
    static String once() {
        return SENT.compareAndSet(false, true) ? script() : "";
    }

    /** Forgets that the script was sent, as a kernel restart does; for tests. */
    static void forgetSent() {
        SENT.set(false);
    }

    /** The wrapped script, whatever was sent before. */
    static String script() {
        return "<script type=\"text/javascript\">if (!window.Plotly) { (function (define, module, exports) {\n"
                + source() + "\n}).call(window); }</script>\n";
    }

    private static String source() {
        try (InputStream in = PlotlyJs.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("plotly.js is not on the classpath (" + RESOURCE
                        + ", put there by the build of lethe-dsl)");
            }
            String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (js.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
                throw new IllegalStateException("plotly.js contains '</script' and cannot be inlined");
            }
            return js;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read plotly.js", e);
        }
    }
}
