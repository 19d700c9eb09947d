package dev.lethe.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic word-level tokenizer for the built-in benchmark. Text splits into words (letters,
 * digits and inner hyphens), the possessive {@code 's}, and single punctuation marks. The vocabulary is
 * the four special tokens followed by every word of a corpus in sorted order, so the same corpus always
 * gives the same ids. Unknown words map to {@code <unk>}.
 *
 * <p>{@link #decode} joins words with single spaces and attaches punctuation to the word before it, so
 * text written in that canonical form round-trips exactly.
 */
public final class WordTokenizer implements Tokenizer {
    /** Padding. */
    public static final String PAD = "<pad>";
    /** Unknown word. */
    public static final String UNK = "<unk>";
    /** Beginning of sequence. */
    public static final String BOS = "<bos>";
    /** End of answer. */
    public static final String EOS = "<eos>";

    /** The regular expression of one word: the possessive 's, a word with inner hyphens, or one punctuation mark. */
    public static final String WORD_PATTERN = "'s\\b|[\\p{L}\\p{N}]+(?:-[\\p{L}\\p{N}]+)*|[^\\s\\p{L}\\p{N}]";

    private static final Pattern WORD = Pattern.compile(WORD_PATTERN);
    private static final Set<String> ATTACH_LEFT = Set.of(".", ",", "?", "!", ":", ";", "'s", ")");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> vocabulary;
    private final Map<String, Integer> ids;

    private WordTokenizer(List<String> vocabulary) {
        this.vocabulary = List.copyOf(vocabulary);
        this.ids = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            if (ids.put(vocabulary.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate token '" + vocabulary.get(i) + "'");
            }
        }
        for (String special : List.of(PAD, UNK, BOS, EOS)) {
            if (!ids.containsKey(special)) {
                throw new IllegalArgumentException("vocabulary lacks the special token " + special);
            }
        }
    }

    /** A tokenizer whose vocabulary is every word of {@code texts}. */
    public static WordTokenizer fit(Collection<String> texts) {
        TreeSet<String> words = new TreeSet<>();
        for (String t : texts) {
            words.addAll(split(t));
        }
        List<String> vocab = new ArrayList<>(List.of(PAD, UNK, BOS, EOS));
        words.removeAll(vocab);
        vocab.addAll(words);
        return new WordTokenizer(vocab);
    }

    /** The words of {@code text}. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        List<String> words = split(text);
        int[] out = new int[words.size()];
        int unk = ids.get(UNK);
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.getOrDefault(words.get(i), unk);
        }
        return out;
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder();
        for (int id : tokens) {
            if (id < 0 || id >= vocabulary.size()) {
                throw new IllegalArgumentException("token id " + id + " outside [0, " + vocabulary.size() + ")");
            }
            if (id == padId() || id == bosId() || id == eosId()) {
                continue;
            }
            String w = vocabulary.get(id);
            boolean afterOpen = sb.length() > 0 && sb.charAt(sb.length() - 1) == '(';
            if (sb.length() > 0 && !ATTACH_LEFT.contains(w) && !afterOpen) {
                sb.append(' ');
            }
            sb.append(w);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int padId() {
        return ids.get(PAD);
    }

    @Override
    public int bosId() {
        return ids.get(BOS);
    }

    @Override
    public int eosId() {
        return ids.get(EOS);
    }

    @Override
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** Writes {@code {"type": "word", "vocabulary": [...]}} atomically. */
    public void save(Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", "word");
        var array = root.putArray("vocabulary");
        vocabulary.forEach(array::add);
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }

    /** Reads a file written by {@link #save}. */
    public static WordTokenizer load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(ConfinedPaths.regularFile(file, "tokenizer file")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + file, e);
        }
        if (root == null || !"word".equals(root.path("type").asText()) || !root.path("vocabulary").isArray()) {
            throw new IllegalArgumentException(file + ": expected {\"type\": \"word\", \"vocabulary\": [...]}");
        }
        List<String> vocab = new ArrayList<>();
        root.get("vocabulary").forEach(n -> vocab.add(n.asText()));
        try {
            return new WordTokenizer(vocab);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WordTokenizer w && w.vocabulary.equals(vocabulary);
    }

    @Override
    public int hashCode() {
        return vocabulary.hashCode();
    }
}
