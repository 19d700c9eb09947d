package dev.lethe.eval.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ROUGE-L (Lin, 2004, "ROUGE: A package for automatic evaluation of summaries", §3.1): with LCS the length of the
 * longest common subsequence of the two token sequences, recall = LCS/|reference|, precision = LCS/|prediction|,
 * F1 = 2PR/(P + R). TOFU reports the recall on greedy answers; MUSE's VerbMem reports the F1.
 *
 * <p>Tokenisation ({@link #tokens(String, Stemming)}) is that of Google's {@code rouge_score} package
 * ({@code tokenize.tokenize}): lower-case, replace every character outside ASCII {@code [a-z0-9]} by a space, split
 * on whitespace; with {@link Stemming#PORTER} ({@code use_stemmer=True}) every token longer than 3 characters is
 * then replaced by its {@link PorterStemmer} stem (NLTK's default mode, as {@code rouge_score} calls it). Non-ASCII
 * letters (é, ß, CJK) are separators, as in {@code rouge_score}. Stemming is the caller's choice: TOFU's and
 * open-unlearning's code stem ({@code RougeScorer(['rougeL'], use_stemmer=True)}), MUSE's does not; the methods
 * without a {@link Stemming} argument do not stem. Either side with no tokens gives (0, 0, 0), as
 * {@code rouge_score} does.
 */
public final class RougeL {
    private RougeL() {}

    /** Whether tokens are stemmed before the LCS is taken ({@code rouge_score}'s {@code use_stemmer}). */
    public enum Stemming {
        /** Tokens as they are ({@code use_stemmer=False}; MUSE). */
        NONE,
        /** Tokens longer than 3 characters Porter-stemmed ({@code use_stemmer=True}; TOFU, open-unlearning). */
        PORTER
    }

    /** ROUGE-L of {@code prediction} against {@code reference}, both tokenised by {@link #tokens}, unstemmed. */
    public static RougeScore score(String reference, String prediction) {
        return score(reference, prediction, Stemming.NONE);
    }

    /** ROUGE-L of {@code prediction} against {@code reference}, both tokenised by {@link #tokens(String, Stemming)}. */
    public static RougeScore score(String reference, String prediction, Stemming stemming) {
        return score(tokens(reference, stemming), tokens(prediction, stemming));
    }

    /** ROUGE-L on already tokenised sequences (compared with {@code equals}). */
    public static RougeScore score(List<String> reference, List<String> prediction) {
        if (reference.isEmpty() || prediction.isEmpty()) {
            return new RougeScore(0, 0, 0);
        }
        int lcs = lcsLength(reference, prediction);
        double precision = (double) lcs / prediction.size();
        double recall = (double) lcs / reference.size();
        double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        return new RougeScore(precision, recall, f1);
    }

    /** ROUGE-L recall, LCS/|reference tokens|, unstemmed (MUSE's KnowMem). */
    public static double recall(String reference, String prediction) {
        return score(reference, prediction).recall();
    }

    /** ROUGE-L recall, LCS/|reference tokens|, with the given stemming (TOFU's "ROUGE" stems). */
    public static double recall(String reference, String prediction, Stemming stemming) {
        return score(reference, prediction, stemming).recall();
    }

    /** ROUGE-L F1, unstemmed (MUSE's VerbMem). */
    public static double f1(String reference, String prediction) {
        return score(reference, prediction).f1();
    }

    /** ROUGE-L F1 with the given stemming. */
    public static double f1(String reference, String prediction, Stemming stemming) {
        return score(reference, prediction, stemming).f1();
    }

    /**
     * {@link #tokens(String)}, each longer than 3 characters replaced by its {@link PorterStemmer#stem} under
     * {@link Stemming#PORTER}: {@code "The runners were running"} → [the, runner, were, run].
     */
    public static List<String> tokens(String text, Stemming stemming) {
        List<String> plain = tokens(text);
        if (stemming == Stemming.NONE) {
            return plain;
        }
        List<String> out = new ArrayList<>(plain.size());
        for (String t : plain) {
            // rouge_score keeps a token only if it still matches ^[a-z0-9]+$; a Porter stem of such a
            // token always does (it only removes or appends letters) and is never empty for 4+ characters
            out.add(t.length() > 3 ? PorterStemmer.stem(t) : t);
        }
        return out;
    }

    /**
     * Unstemmed tokens: lower-cased maximal runs of ASCII letters and digits, in order:
     * {@code "Jean-Luc's 2nd café!"} →
     * [jean, luc, s, 2nd, caf].
     */
    public static List<String> tokens(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                current.append(c);
            } else if (current.length() > 0) {
                out.add(current.toString());
                current.setLength(0);
            }
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }

    /** Length of the longest common subsequence, O(|a|·|b|) time and O(|b|) memory. */
    public static int lcsLength(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}
