package dev.lethe.eval.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ROUGE-L (Lin, 2004, "ROUGE: A package for automatic evaluation of summaries", §3.1): with LCS the length of the
 * longest common subsequence of the two token sequences, recall = LCS/|reference|, precision = LCS/|prediction|,
 * F1 = 2PR/(P + R). TOFU reports the recall on greedy answers; MUSE's VerbMem reports the F1.
 *
 * <p>Tokenisation ({@link #tokens}) is that of Google's {@code rouge_score} package ({@code tokenize.tokenize}
 * with {@code use_stemmer=False}): lower-case, replace every character outside ASCII {@code [a-z0-9]} by a space,
 * split on whitespace. Non-ASCII letters (é, ß, CJK) are therefore separators, as in {@code rouge_score}.
 * <b>Difference:</b> TOFU and MUSE call {@code RougeScorer(['rougeL'], use_stemmer=True)}, which additionally
 * Porter-stems tokens longer than 3 characters; no stemming is applied here, so "cats" and "cat" differ.
 * Either side with no tokens gives (0, 0, 0), as {@code rouge_score} does.
 */
public final class RougeL {
    private RougeL() {}

    /** ROUGE-L of {@code prediction} against {@code reference}, both tokenised by {@link #tokens}. */
    public static RougeScore score(String reference, String prediction) {
        return score(tokens(reference), tokens(prediction));
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

    /** ROUGE-L recall, LCS/|reference tokens| (TOFU's "ROUGE"). */
    public static double recall(String reference, String prediction) {
        return score(reference, prediction).recall();
    }

    /** ROUGE-L F1 (MUSE's VerbMem). */
    public static double f1(String reference, String prediction) {
        return score(reference, prediction).f1();
    }

    /**
     * Lower-cased maximal runs of ASCII letters and digits, in order: {@code "Jean-Luc's 2nd café!"} →
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
