package dev.lethe.eval.stats;

import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Porter stemmer (M. F. Porter, 1980, "An algorithm for suffix stripping", Program 14(3): 130–137) with
 * NLTK's extensions: the behaviour of {@code nltk.stem.porter.PorterStemmer()} in its default
 * {@code NLTK_EXTENSIONS} mode (NLTK 3.x), which Google's {@code rouge_score} calls when
 * {@code use_stemmer=True}. The extensions over the 1980 algorithm, all reproduced here:
 *
 * <ul>
 *   <li>a table of irregular forms looked up first (sky/skies → sky, dying → die, lying → lie, tying → tie,
 *       news, inning(s), outing(s), canning(s), howe, proceed, exceed, succeed);
 *   <li>words of at most two characters are returned unchanged;
 *   <li>step 1a: a four-letter word in -ies becomes -ie (ties → tie); step 1b: -ied becomes -ie in a
 *       four-letter word and -i otherwise;
 *   <li>step 1c: y → i only after a consonant that is not the first letter (cry → cri, but say, by);
 *   <li>step 2: -alli → -al and then step 2 again, -bli → -ble (Porter's published correction of -abli),
 *       -fulli → -ful and -logi → -log;
 *   <li>the *o condition (cvc) also holds for a two-letter vowel–consonant stem.
 * </ul>
 *
 * <p>Input is lower-cased with {@link Locale#ROOT} (NLTK's {@code to_lowercase=True}); the consonant test
 * treats y as a consonant at the start of a word and after a vowel, a vowel after a consonant.
 */
public final class PorterStemmer {
    private static final Map<String, String> IRREGULAR = Map.ofEntries(Map.entry("sky", "sky"),
            Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("news", "news"), Map.entry("innings", "inning"),
            Map.entry("inning", "inning"), Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"), Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    private PorterStemmer() {}

    /** The stem of {@code word}, as NLTK's {@code PorterStemmer().stem(word)}. */
    public static String stem(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        String irregular = IRREGULAR.get(w);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return w;
        }
        w = step1a(w);
        w = step1b(w);
        w = step1c(w);
        w = step2(w);
        w = step3(w);
        w = step4(w);
        w = step5a(w);
        return step5b(w);
    }

    /** Whether {@code word.charAt(i)} is a consonant: not a vowel, and a y only at the start or after a vowel. */
    static boolean consonant(String word, int i) {
        char c = word.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        return c != 'y' || i == 0 || !consonant(word, i - 1);
    }

    /** Porter's m: the number of vowel-run → consonant-run transitions ("VC" pairs) in {@code stem}. */
    static int measure(String stem) {
        int m = 0;
        for (int i = 1; i < stem.length(); i++) {
            if (consonant(stem, i) && !consonant(stem, i - 1)) {
                m++;
            }
        }
        return m;
    }

    private static boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private static boolean measureAboveOne(String stem) {
        return measure(stem) > 1;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!consonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && consonant(w, n - 1);
    }

    /** Porter's *o: consonant–vowel–consonant, the last not w, x or y; NLTK: or a two-letter vowel–consonant. */
    private static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && consonant(w, n - 3) && !consonant(w, n - 2) && consonant(w, n - 1)
                && "wxy".indexOf(w.charAt(n - 1)) < 0) {
            return true;
        }
        return n == 2 && !consonant(w, 0) && consonant(w, 1);
    }

    /** One rule: a suffix, its replacement and the condition on the stem before the suffix. */
    private record Rule(String suffix, String replacement, Predicate<String> condition) {
        Rule(String suffix, String replacement) {
            this(suffix, replacement, s -> true);
        }
    }

    /**
     * The first rule whose suffix {@code w} ends with decides: its replacement when the condition holds,
     * {@code w} unchanged otherwise (later rules are not tried); no matching rule leaves {@code w} unchanged.
     */
    private static String apply(String w, Rule... rules) {
        for (Rule r : rules) {
            if (w.endsWith(r.suffix())) {
                String stem = w.substring(0, w.length() - r.suffix().length());
                return r.condition().test(stem) ? stem + r.replacement() : w;
            }
        }
        return w;
    }

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return w.substring(0, 3);
        }
        return apply(w, new Rule("sses", "ss"), new Rule("ies", "i"), new Rule("ss", "ss"), new Rule("s", ""));
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return w.substring(0, w.length() - 3) + (w.length() == 4 ? "ie" : "i");
        }
        if (w.endsWith("eed")) {
            String stem = w.substring(0, w.length() - 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String stem = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (w.endsWith(suffix)) {
                String s = w.substring(0, w.length() - suffix.length());
                if (containsVowel(s)) {
                    stem = s;
                    break;
                }
            }
        }
        if (stem == null) {
            return w;
        }
        if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) {
            return stem + "e";
        }
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? stem : stem.substring(0, stem.length() - 1);
        }
        return measure(stem) == 1 && endsCvc(stem) ? stem + "e" : stem;
    }

    private static String step1c(String w) {
        return apply(w, new Rule("y", "i", s -> s.length() > 1 && consonant(s, s.length() - 1)));
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && positiveMeasure(w.substring(0, w.length() - 4))) {
            return step2(w.substring(0, w.length() - 4) + "al");
        }
        Predicate<String> m = PorterStemmer::positiveMeasure;
        return apply(w, new Rule("ational", "ate", m), new Rule("tional", "tion", m), new Rule("enci", "ence", m),
                new Rule("anci", "ance", m), new Rule("izer", "ize", m), new Rule("bli", "ble", m),
                new Rule("alli", "al", m), new Rule("entli", "ent", m), new Rule("eli", "e", m),
                new Rule("ousli", "ous", m), new Rule("ization", "ize", m), new Rule("ation", "ate", m),
                new Rule("ator", "ate", m), new Rule("alism", "al", m), new Rule("iveness", "ive", m),
                new Rule("fulness", "ful", m), new Rule("ousness", "ous", m), new Rule("aliti", "al", m),
                new Rule("iviti", "ive", m), new Rule("biliti", "ble", m), new Rule("fulli", "ful", m),
                // NLTK tests the measure of the word without "ogi", i.e. the stem plus its "l"
                new Rule("logi", "log", s -> positiveMeasure(s + "l")));
    }

    private static String step3(String w) {
        Predicate<String> m = PorterStemmer::positiveMeasure;
        return apply(w, new Rule("icate", "ic", m), new Rule("ative", "", m), new Rule("alize", "al", m),
                new Rule("iciti", "ic", m), new Rule("ical", "ic", m), new Rule("ful", "", m),
                new Rule("ness", "", m));
    }

    private static String step4(String w) {
        Predicate<String> m = PorterStemmer::measureAboveOne;
        return apply(w, new Rule("al", "", m), new Rule("ance", "", m), new Rule("ence", "", m),
                new Rule("er", "", m), new Rule("ic", "", m), new Rule("able", "", m), new Rule("ible", "", m),
                new Rule("ant", "", m), new Rule("ement", "", m), new Rule("ment", "", m), new Rule("ent", "", m),
                new Rule("ion", "", s -> measureAboveOne(s) && (s.endsWith("s") || s.endsWith("t"))),
                new Rule("ou", "", m), new Rule("ism", "", m), new Rule("ate", "", m), new Rule("iti", "", m),
                new Rule("ous", "", m), new Rule("ive", "", m), new Rule("ize", "", m));
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = w.substring(0, w.length() - 1);
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String step5b(String w) {
        return w.endsWith("ll") && measure(w.substring(0, w.length() - 1)) > 1 ? w.substring(0, w.length() - 1) : w;
    }
}
