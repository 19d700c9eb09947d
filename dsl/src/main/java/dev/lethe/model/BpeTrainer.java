package dev.lethe.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a byte-level BPE tokenizer as GPT-2, Llama 3 and Qwen use (Radford et al. 2019, "Language Models are
 * Unsupervised Multitask Learners", §2.2; Sennrich et al. 2016, "Neural Machine Translation of Rare Words with
 * Subword Units", Algorithm 1) and writes it as a Hugging Face {@code tokenizer.json} that the {@code tokenizers}
 * library (DJL's binding, {@link HfTokenizer}, and Python's) reads.
 *
 * <p>Training: each text is split by GPT-2's pre-tokenizer pattern ({@link #SPLIT}, the {@code ByteLevel}
 * pre-tokenizer's {@code use_regex}), each piece's UTF-8 bytes are mapped to printable characters (GPT-2's
 * {@code bytes_to_unicode}, {@link #byteChar}), and starting from the 256 byte symbols the most frequent adjacent
 * pair over the corpus's pieces (weighted by how often each piece occurs) is merged into a new symbol, until the
 * vocabulary has {@code vocabSize} tokens or no pair occurs {@code minFrequency} times. Ties go to the pair whose
 * left symbol has the smaller id, then the right: training is deterministic, independent of hashing and of the
 * order of equal counts. Ids: the special tokens first (in the order given), then the 256 bytes in byte order,
 * then the merged tokens in the order learned (a merge that spells an existing token adds none). Special tokens
 * are added tokens ({@code special: true}), so their text in an input (a rendered chat template's
 * {@code <|im_start|>}) becomes their id. No text is ever unknown.
 *
 * @param vocabSize the largest vocabulary, special tokens and 256 bytes included
 * @param specialTokens the special tokens, e.g. {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>}
 * @param minFrequency a pair is merged only if it occurs at least this often
 */
public record BpeTrainer(int vocabSize, List<String> specialTokens, int minFrequency) {
    /**
     * GPT-2's pre-tokenizer pattern (contractions, letters, digits, other symbols each with one optional leading
     * space; runs of white space, the last space of a run left to the next word), as the {@code tokenizers}
     * library's {@code ByteLevel} pre-tokenizer applies it, with Unicode classes for {@code \s}.
     */
    public static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final int BYTES = 256;
    private static final char[] BYTE_CHARS = byteChars();

    /** Validates the sizes and the special tokens. */
    public BpeTrainer {
        specialTokens = List.copyOf(specialTokens);
        if (new LinkedHashSet<>(specialTokens).size() != specialTokens.size()) {
            throw new IllegalArgumentException("special tokens repeat: " + specialTokens);
        }
        if (specialTokens.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a special token must not be empty: " + specialTokens);
        }
        if (vocabSize < BYTES + specialTokens.size()) {
            throw new IllegalArgumentException("vocabSize must be at least 256 bytes + " + specialTokens.size()
                    + " special tokens = " + (BYTES + specialTokens.size()) + ", was " + vocabSize);
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minFrequency must be >= 1, was " + minFrequency);
        }
    }

    /**
     * A trainer of at most {@code vocabSize} tokens with ChatML's special tokens ({@link ChatMlTokenizer#TOKENS}),
     * merging pairs seen twice or more.
     */
    public static BpeTrainer chatMl(int vocabSize) {
        return new BpeTrainer(vocabSize, ChatMlTokenizer.TOKENS, 2);
    }

    /**
     * The pieces GPT-2's pattern cuts {@code text} into (their concatenation is {@code text}), as the
     * {@code ByteLevel} pre-tokenizer cuts it before mapping bytes.
     */
    public static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** GPT-2's printable stand-in for byte {@code b} (0–255): itself if printable Latin-1, else U+0100 onwards. */
    public static char byteChar(int b) {
        return BYTE_CHARS[b];
    }

    /** {@code piece}'s UTF-8 bytes as GPT-2's byte characters, as the {@code ByteLevel} pre-tokenizer maps them. */
    public static String byteLevel(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        StringBuilder s = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            s.append(BYTE_CHARS[b & 0xFF]);
        }
        return s.toString();
    }

    private static char[] byteChars() {
        char[] chars = new char[BYTES];
        int next = 0;
        for (int b = 0; b < BYTES; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            chars[b] = printable ? (char) b : (char) (BYTES + next++);
        }
        return chars;
    }

    /**
     * A tokenizer trained on {@code texts}.
     *
     * @return the vocabulary (token strings by id) and the merges in rank order
     */
    public Trained train(List<String> texts) {
        // distinct pieces with their counts, in sorted order so that nothing depends on hashing
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (String text : texts) {
            for (String piece : pieces(text)) {
                counts.merge(byteLevel(piece), 1, Integer::sum);
            }
        }
        List<String> vocab = new ArrayList<>(specialTokens);
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < BYTES; b++) {
            String c = String.valueOf(BYTE_CHARS[b]);
            if (ids.containsKey(c) || specialTokens.contains(c)) {
                throw new IllegalArgumentException("special token \"" + c + "\" is a byte's character");
            }
            ids.put(c, vocab.size());
            vocab.add(c);
        }
        List<int[]> words = new ArrayList<>(counts.size());
        int[] weights = new int[counts.size()];
        int w = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            String word = e.getKey();
            int[] symbols = new int[word.length()];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = ids.get(String.valueOf(word.charAt(i)));
            }
            words.add(symbols);
            weights[w++] = e.getValue();
        }
        List<Merge> merges = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            long best = bestPair(words, weights);
            if (best < 0) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            String token = vocab.get(left) + vocab.get(right);
            // two merges may spell the same token ("ab" + "c", "a" + "bc"): the second reuses its id
            Integer existing = ids.get(token);
            int merged = existing == null ? vocab.size() : existing;
            if (existing == null) {
                ids.put(token, merged);
                vocab.add(token);
            }
            merges.add(new Merge(vocab.get(left), vocab.get(right)));
            for (int i = 0; i < words.size(); i++) {
                words.set(i, merge(words.get(i), left, right, merged));
            }
        }
        return new Trained(List.copyOf(vocab), List.copyOf(merges), specialTokens);
    }

    /** The most frequent pair as {@code left << 32 | right} (ties: smaller left, then smaller right), or -1. */
    private long bestPair(List<int[]> words, int[] weights) {
        Map<Long, Long> pairs = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            int[] s = words.get(i);
            for (int k = 0; k + 1 < s.length; k++) {
                pairs.merge(((long) s[k] << 32) | s[k + 1], (long) weights[i], Long::sum);
            }
        }
        long best = -1;
        long bestCount = 0;
        for (Map.Entry<Long, Long> e : pairs.entrySet()) {
            long count = e.getValue();
            if (count >= minFrequency && (count > bestCount || count == bestCount && e.getKey() < best)) {
                best = e.getKey();
                bestCount = count;
            }
        }
        return best;
    }

    /** {@code symbols} with every non-overlapping occurrence of (left, right), from the left, replaced by merged. */
    private static int[] merge(int[] symbols, int left, int right, int merged) {
        int[] out = null;
        int n = 0;
        for (int k = 0; k < symbols.length; k++) {
            if (k + 1 < symbols.length && symbols[k] == left && symbols[k + 1] == right) {
                if (out == null) {
                    out = java.util.Arrays.copyOf(symbols, symbols.length);
                    n = k;
                }
                out[n++] = merged;
                k++;
            } else if (out != null) {
                out[n++] = symbols[k];
            }
        }
        return out == null ? symbols : java.util.Arrays.copyOf(out, n);
    }

    /**
     * One learned merge: two adjacent tokens become their concatenation.
     *
     * @param left the left token
     * @param right the right token
     */
    public record Merge(String left, String right) {
        /** As {@code tokenizer.json} lists it: {@code "left right"} (byte-level tokens never hold a space). */
        @Override
        public String toString() {
            return left + " " + right;
        }
    }

    /**
     * A trained tokenizer.
     *
     * @param vocabulary token strings by id: special tokens, the 256 byte characters, then merged tokens
     * @param merges the learned merges in rank order
     * @param specialTokens the special tokens (ids 0 to n − 1)
     */
    public record Trained(List<String> vocabulary, List<Merge> merges, List<String> specialTokens) {
        /**
         * The {@code tokenizer.json}: a BPE model with GPT-2's {@code ByteLevel} pre-tokenizer (no prefix space),
         * post-processor and decoder, the special tokens as added tokens.
         */
        public String tokenizerJson() {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("version", "1.0");
            root.putNull("truncation");
            root.putNull("padding");
            ArrayNode added = root.putArray("added_tokens");
            for (int id = 0; id < specialTokens.size(); id++) {
                added.addObject().put("id", id).put("content", specialTokens.get(id)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            }
            root.putNull("normalizer");
            byteLevel(root.putObject("pre_tokenizer"), true);
            byteLevel(root.putObject("post_processor"), false);
            byteLevel(root.putObject("decoder"), true);
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE");
            model.putNull("dropout");
            model.putNull("unk_token");
            model.putNull("continuing_subword_prefix");
            model.putNull("end_of_word_suffix");
            model.put("fuse_unk", false);
            model.put("byte_fallback", false);
            model.put("ignore_merges", false);
            ObjectNode vocab = model.putObject("vocab");
            for (int id = 0; id < vocabulary.size(); id++) {
                vocab.put(vocabulary.get(id), id);
            }
            ArrayNode m = model.putArray("merges");
            // "left right" rather than a pair: every version of the library reads this form
            merges.forEach(merge -> m.add(merge.toString()));
            return root.toPrettyString() + "\n";
        }

        private static void byteLevel(ObjectNode node, boolean trimOffsets) {
            node.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", trimOffsets)
                    .put("use_regex", true);
        }
    }
}
