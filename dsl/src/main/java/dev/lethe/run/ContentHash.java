package dev.lethe.run;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Dataset;
import dev.lethe.data.MultipleChoice;
import dev.lethe.data.MuseProbes;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.model.AnalyticHead;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * SHA-256 hashes of what a run reads, by content: examples, the vocabulary, a model's weights, a model folder's
 * files. Every text is hashed with its length before it, and every list with its size, so two different contents
 * never feed the
 * digest the same bytes. Where a file lives and how a value prints play no part: the model cache and the
 * provenance key on these (DESIGN.md: caches key on content, never on {@code toString()} or a path).
 */
final class ContentHash {
    private final MessageDigest digest;

    private ContentHash() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /**
     * Every question-answer example, passage and multiple-choice question of every split of {@code data}, and
     * MUSE's probes of the splits that have them (data without them hashes as before they existed).
     */
    static String of(Dataset data) {
        ContentHash h = new ContentHash();
        for (Split s : Split.values()) {
            h.text(s.id());
            h.examples(data.get(s));
            h.passages(data.passages(s));
            h.choices(data.choices(s));
            MuseProbes probes = data.muse(s);
            if (probes != null) {
                h.text("muse");
                h.number(probes.verbmem().size());
                probes.verbmem().forEach(c -> h.text(c.prompt()).text(c.truth()));
                h.examples(probes.knowmem());
                h.examples(probes.fewShot());
                h.passages(probes.privleak());
            }
        }
        return h.hex();
    }

    /**
     * What a training stage on {@code splits} reads of {@code data}: per split, in the order given, its
     * question-answer examples (for {@link Texts#ANSWERS} and {@link Texts#BOTH}) and its passages (for
     * {@link Texts#PASSAGES} and {@link Texts#BOTH}).
     */
    static String trainingData(Dataset data, List<Split> splits, Texts texts) {
        ContentHash h = new ContentHash();
        h.text(texts.name());
        for (Split s : splits) {
            h.text(s.id());
            if (texts != Texts.PASSAGES) {
                h.examples(data.get(s));
            }
            if (texts != Texts.ANSWERS) {
                h.passages(data.passages(s));
            }
        }
        return h.hex();
    }

    /** The tokenizer's vocabulary (every token, in id order) and its special ids. */
    static String vocabulary(Tokenizer tokenizer) {
        ContentHash h = new ContentHash();
        h.number(tokenizer.padId()).number(tokenizer.bosId()).number(tokenizer.eosId());
        h.number(tokenizer.vocabulary().size());
        tokenizer.vocabulary().forEach(h::text);
        return h.hex();
    }

    /**
     * The model's weights: each tensor's name, shape, type and bytes, in the architecture's order; its GUARD-IT
     * steering bank's content hash when it has one (a model trained under steering is another model); and its
     * analytic head's {@link AnalyticHead#fingerprint()} when it has one (its logits come from there).
     */
    static String weights(CausalLm model) {
        ContentHash h = new ContentHash();
        if (model.steering() != null) {
            h.text("guard_it").text(model.steering().contentHash());
        }
        for (Map.Entry<String, NDArray> e : model.weights().asMap().entrySet()) {
            NDArray a = e.getValue();
            h.text(e.getKey()).text(a.getShape().toString()).text(a.getDataType().name());
            byte[] bytes = a.toByteArray();
            h.number(bytes.length);
            h.digest.update(bytes);
        }
        AnalyticHead head = model.head();
        if (head != null) {
            h.text("analytic head " + head.fingerprint());
        }
        return h.hex();
    }

    /**
     * A model folder's {@code files} (relative to {@code dir}): each one's name (with {@code /} between folders)
     * and bytes, in the order given. Where the folder is plays no part.
     *
     * @throws java.io.UncheckedIOException when a file cannot be read
     */
    static String files(Path dir, List<Path> files) {
        ContentHash h = new ContentHash();
        h.number(files.size());
        byte[] buffer = new byte[1 << 16];
        for (Path f : files) {
            h.text(f.toString().replace(f.getFileSystem().getSeparator(), "/"));
            Path file = dir.resolve(f);
            try (InputStream in = Files.newInputStream(ConfinedPaths.regularFile(file, "model folder file"))) {
                h.number(Files.size(file));
                for (int n; (n = in.read(buffer)) > 0; ) {
                    h.digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return h.hex();
    }

    /** The SHA-256 of {@code parts}, each hashed as a text with its length. */
    static String texts(List<String> parts) {
        ContentHash h = new ContentHash();
        h.number(parts.size());
        parts.forEach(h::text);
        return h.hex();
    }

    private void examples(List<QaExample> examples) {
        number(examples.size());
        for (QaExample e : examples) {
            text(e.question()).text(e.answer()).text(e.paraphrasedQuestion()).text(e.paraphrasedAnswer());
            number(e.perturbedAnswers().size());
            e.perturbedAnswers().forEach(this::text);
            text(e.subject()).text(e.fact());
        }
    }

    private void passages(List<Passage> passages) {
        number(passages.size());
        for (Passage p : passages) {
            text(p.text()).text(p.subject());
        }
    }

    private void choices(List<MultipleChoice> choices) {
        number(choices.size());
        for (MultipleChoice c : choices) {
            text(c.question());
            number(c.options().size());
            c.options().forEach(this::text);
            number(c.answer()).text(c.subject()).text(c.fact());
        }
    }

    private ContentHash text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        number(b.length);
        digest.update(b);
        return this;
    }

    private ContentHash number(long n) {
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(n).array());
        return this;
    }

    private String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
