package dev.lethe.data;

import static dev.lethe.part.ParamTypes.path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.io.ConfinedPaths;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.util.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * MUSE-News or MUSE-Books (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language
 * Models", arXiv:2407.06460; hub datasets {@code muse-bench/MUSE-News}, {@code muse-bench/MUSE-Books}) read
 * from a folder holding the hub's configs as exported files, one per split, each {@code <config>/<split>.json}
 * or {@code .jsonl}: either one JSON array (as muse_bench's {@code data/} folder holds them) or JSON lines
 * (as {@code datasets}' {@code to_json} writes them).
 *
 * <table>
 *   <caption>Files read (relative to {@code dir}) and where they go</caption>
 *   <tr><th>file</th><th>fields</th><th>becomes</th></tr>
 *   <tr><td>{@code raw/forget} (required)</td><td>{@code text}</td><td>forget passages (training text)</td></tr>
 *   <tr><td>{@code raw/retain1}, {@code raw/retain2}</td><td>{@code text}</td><td>retain passages, in that
 *       order (both were seen by MUSE's target model)</td></tr>
 *   <tr><td>{@code raw/holdout}</td><td>{@code text}</td><td>holdout passages (never trained on)</td></tr>
 *   <tr><td>{@code verbmem/forget}</td><td>{@code prompt}, {@code gt}</td><td>forget VerbMem
 *       {@link Continuation}s</td></tr>
 *   <tr><td>{@code knowmem/forget_qa}, {@code knowmem/retain_qa}</td><td>{@code question}, {@code answer}</td>
 *       <td>forget / retain KnowMem questions</td></tr>
 *   <tr><td>{@code knowmem/forget_qa_icl}, {@code knowmem/retain_qa_icl}</td><td>{@code question},
 *       {@code answer}</td><td>forget / retain few-shot examples of KnowMem's prompt</td></tr>
 *   <tr><td>{@code privleak/forget}, {@code privleak/retain}, {@code privleak/holdout}</td><td>{@code text}
 *       </td><td>forget / retain / holdout texts of the membership scores (PrivLeak)</td></tr>
 * </table>
 *
 * <p>A {@code text} record may also be a bare JSON string (muse_bench's {@code privleak} files are arrays of
 * strings). Other fields are ignored; a missing file is an empty list except {@code raw/forget}. The forget,
 * retain and holdout splits get {@link MuseProbes} (even empty ones): that marks the data as MUSE's. The world
 * split stays empty, and no split has question-answer examples: the models train on the passages (the learn,
 * finetune and reference stages' default {@code train_on: both} reads them; an unlearn stage needs
 * {@code train_on: passages}), and KnowMem's questions are never training text. The seed is not used.
 *
 * @param dir the folder (relative to the working directory)
 */
public record MuseData(Path dir) implements DataSource {
    /** The data source {@code muse}. */
    public static final Kind<MuseData> KIND = Kind.of("muse", MuseData.class,
            "MUSE-News or MUSE-Books (Shi et al. 2024) as exported from the hub: raw/, verbmem/, knowmem/ and "
                    + "privleak/ files, JSON arrays or JSON lines",
            List.of(Param.required("dir", path(), "the folder holding raw/, verbmem/, knowmem/ and privleak/ "
                    + "(relative to the working directory)", MuseData::dir)),
            a -> new MuseData(a.get("dir")));

    @Override
    public Dataset load(long seed) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("MUSE folder " + Printable.escape(dir.toString()) + (Files.exists(dir)
                    ? " is not a folder" : " does not exist") + "; muse: {dir: ...} names a folder holding at least "
                    + "raw/forget.json");
        }
        if (file("raw/forget") == null) {
            throw new IllegalArgumentException(Printable.escape(dir.resolve("raw/forget.json").toString())
                    + ": missing (nor raw/forget.jsonl); a MUSE folder needs at least the raw forget texts");
        }
        Map<Split, List<Passage>> passages = new EnumMap<>(Split.class);
        Map<Split, MuseProbes> probes = new EnumMap<>(Split.class);
        passages.put(Split.FORGET, texts("raw/forget"));
        List<Passage> retain = new ArrayList<>(texts("raw/retain1"));
        retain.addAll(texts("raw/retain2"));
        passages.put(Split.RETAIN, retain);
        passages.put(Split.HOLDOUT, texts("raw/holdout"));
        probes.put(Split.FORGET, new MuseProbes(continuations("verbmem/forget"), questions("knowmem/forget_qa"),
                questions("knowmem/forget_qa_icl"), texts("privleak/forget")));
        probes.put(Split.RETAIN, new MuseProbes(List.of(), questions("knowmem/retain_qa"),
                questions("knowmem/retain_qa_icl"), texts("privleak/retain")));
        probes.put(Split.HOLDOUT, new MuseProbes(List.of(), List.of(), List.of(), texts("privleak/holdout")));
        return new Dataset(Map.of(), passages, Map.of(), probes);
    }

    /** {@code name.json} or {@code name.jsonl} inside the folder; null when neither exists. */
    private @Nullable Path file(String name) {
        Path json = ConfinedPaths.inside(dir, name + ".json", "MUSE file");
        Path jsonl = ConfinedPaths.inside(dir, name + ".jsonl", "MUSE file");
        if (Files.exists(json) && Files.exists(jsonl)) {
            throw new IllegalArgumentException(Printable.escape(json.toString()) + " and " + jsonl.getFileName()
                    + " both exist; keep one of them");
        }
        return Files.exists(json) ? json : Files.exists(jsonl) ? jsonl : null;
    }

    /** The texts of {@code name}: records {@code {"text": ...}} or bare strings. */
    private List<Passage> texts(String name) {
        Path f = file(name);
        List<Passage> out = new ArrayList<>();
        if (f != null) {
            for (Jsonl.Record r : Jsonl.records(f)) {
                JsonNode v = r.value();
                String text = v.isTextual() ? v.asText() : Jsonl.text(object(f, r), "text", f, r.line(), null);
                out.add(new Passage(nonBlank(text, "text", f, r.line()), ""));
            }
        }
        return out;
    }

    /** The question-answer records of {@code name}. */
    private List<QaExample> questions(String name) {
        Path f = file(name);
        List<QaExample> out = new ArrayList<>();
        if (f != null) {
            for (Jsonl.Record r : Jsonl.records(f)) {
                JsonNode o = object(f, r);
                String q = nonBlank(Jsonl.text(o, "question", f, r.line(), null), "question", f, r.line());
                String a = nonBlank(Jsonl.text(o, "answer", f, r.line(), null), "answer", f, r.line());
                out.add(new QaExample(q, a, q, a, List.of(), "", ""));
            }
        }
        return out;
    }

    /** The prompt-continuation records of {@code name}. */
    private List<Continuation> continuations(String name) {
        Path f = file(name);
        List<Continuation> out = new ArrayList<>();
        if (f != null) {
            for (Jsonl.Record r : Jsonl.records(f)) {
                JsonNode o = object(f, r);
                out.add(new Continuation(nonBlank(Jsonl.text(o, "prompt", f, r.line(), null), "prompt", f, r.line()),
                        nonBlank(Jsonl.text(o, "gt", f, r.line(), null), "gt", f, r.line())));
            }
        }
        return out;
    }

    private static JsonNode object(Path f, Jsonl.Record r) {
        if (!r.value().isObject()) {
            throw Jsonl.bad(f, r.line(), "expected a JSON object, was " + r.value().getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT));
        }
        return r.value();
    }

    private static String nonBlank(String value, String field, Path f, int line) {
        if (value.isBlank()) {
            throw Jsonl.bad(f, line, "field '" + field + "' is blank; fill it in or remove the record");
        }
        return value;
    }
}
