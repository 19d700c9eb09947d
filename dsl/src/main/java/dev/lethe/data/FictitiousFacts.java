package dev.lethe.data;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The built-in benchmark: fictitious people with fictitious facts, shaped like TOFU (Maini et al. 2024,
 * "TOFU: A Task of Fictitious Unlearning for LLMs"). Everything is generated from a seed, so the same
 * spec and seed always give the same examples, byte for byte.
 *
 * <p>Each of {@code people} trained people gets {@code factsPerPerson} facts (birth year, city,
 * profession, employer, book title, instrument), each a question with a paraphrased question, a paraphrased
 * answer and three perturbed answers, as TOFU's {@code *_perturbed} files: the models train on the bare answer
 * ("Torvel"); the paraphrased answer says the same fact in other words, a sentence of a fixed template per kind
 * of fact ("They live in Torvel."), and the perturbed answers are the same sentence with three other values of
 * the fact ("They live in Sadri."), so TOFU's truth ratio compares the paraphrase with the perturbed answers in
 * one frame and the ratio moves with the fact alone. (Before, the paraphrased answer was the bare answer: a model
 * of about 1 M parameters trained on bare answers may not carry a fact over to a sentence it never saw, which
 * lowers its truth ratio's contrast; the paraphrase is what TOFU measures.) World and real-author facts score
 * the answer itself against bare wrong answers, as TOFU's world and real-authors files do. A fraction
 * {@code forgetFraction} of the people (at least one) forms the forget split, the rest the retain
 * split. {@code holdoutPeople} more people of the same distribution form the holdout split (never
 * trained on). {@code worldCountries} fictitious countries give three general facts each (capital,
 * language, currency): the world split every model trains on. The first {@code realAuthors} of a fixed list of
 * real, well-known authors give three facts each (a famous book, country and year of birth; {@code RealAuthors}):
 * the real-authors split, which every model also trains on, as TOFU's "Real Authors" are known from pretraining.
 *
 * <p>Evaluation-only extras, drawn from a second random stream so that the question-answer examples do not
 * depend on them:
 * <ul>
 *   <li>a <b>passage</b> per person (forget, retain, holdout), MUSE-style: three sentences, the first two
 *       from the person's birth year, city, profession and employer, the third a filler fact (a pet and its
 *       name) that no question asks about, e.g. "Kalo Renmi was born in 1932 and lives in Torvel. They work
 *       as a potter for Sadri Works. Their owl is called Mirel." (at most 26 word tokens, so it fits the
 *       context of {@link dev.lethe.model.GptConfig#tiny()}). A fact beyond {@code factsPerPerson} is drawn
 *       for the passage only;
 *   <li>a 4-option <b>multiple-choice question</b> (WMDP-style) per question-answer example of every split:
 *       the question as trained, the correct answer and three distractors drawn from the values other
 *       subjects of the benchmark have for the same fact (fewer when fewer exist), in a random order.
 * </ul>
 *
 * @param people trained people (forget + retain)
 * @param forgetFraction share of the trained people to forget, in (0, 1)
 * @param holdoutPeople people of the same distribution that no model trains on
 * @param factsPerPerson facts per person, 1 to 6
 * @param worldCountries fictitious countries of the world split
 * @param realAuthors real authors of the real-authors split, 0 to 24
 */
public record FictitiousFacts(int people, double forgetFraction, int holdoutPeople, int factsPerPerson,
        int worldCountries, int realAuthors) implements DataSource {
    /** The data source {@code fictitious_facts}; its defaults are {@code FictitiousFacts.of(50, 0.1)}. */
    public static final Kind<FictitiousFacts> KIND = Kind.of("fictitious_facts", FictitiousFacts.class,
            "the built-in TOFU-shaped benchmark of fictitious people (Maini et al. 2024); defaults: "
                    + "FictitiousFacts.of(50, 0.1)",
            List.of(Param.of("people", integer(2, 1000), 50, "trained people (forget + retain)",
                    FictitiousFacts::people),
                    Param.of("forget_fraction", real(Range.open(0, 1)), 0.1, "share of the trained people to forget",
                            FictitiousFacts::forgetFraction),
                    Param.of("holdout_people", integer(0, 1000), 5, "never-trained people",
                            FictitiousFacts::holdoutPeople),
                    Param.of("facts_per_person", integer(1, 6), 6, "facts per person", FictitiousFacts::factsPerPerson),
                    Param.of("world_countries", integer(0, 200), 15, "countries of the world split",
                            FictitiousFacts::worldCountries),
                    Param.of("real_authors", integer(0, RealAuthors.MAX), 10, "real authors of the real_authors split",
                            FictitiousFacts::realAuthors)),
            a -> new FictitiousFacts(a.integer("people"), a.real("forget_fraction"), a.integer("holdout_people"),
                    a.integer("facts_per_person"), a.integer("world_countries"), a.integer("real_authors")));

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ren", "sa", "tor", "vel", "dri", "an", "bo",
        "cor", "el", "fa", "gar", "hil", "is", "ju", "ker", "lin", "mar", "nor", "ol", "pe", "qui", "ros",
        "sul", "tam", "ul", "vin", "wes", "xa", "yor", "zel", "bra", "cen", "dus", "ef", "gil", "hor", "ith"};
    private static final String[] PROFESSIONS = {"cartographer", "luthier", "botanist", "glassblower",
        "astronomer", "archivist", "beekeeper", "clockmaker", "linguist", "potter", "surveyor", "translator",
        "violinist", "weaver", "geologist", "lighthouse-keeper"};
    private static final String[] INSTRUMENTS = {"cello", "oboe", "harp", "lute", "zither", "bassoon",
        "clarinet", "accordion", "dulcimer", "theremin", "sitar", "marimba"};
    private static final String[] ADJECTIVES = {"Amber", "Silent", "Hollow", "Crimson", "Distant", "Frozen",
        "Gilded", "Hidden", "Iron", "Lonely", "Restless", "Velvet"};
    private static final String[] NOUNS = {"Lantern", "River", "Orchard", "Harbor", "Meadow", "Tower",
        "Garden", "Compass", "Mirror", "Archive", "Bridge", "Lighthouse"};
    private static final String[] FIRMS = {"Industries", "Works", "Partners", "Foundry", "Press", "Labs"};
    private static final String[] LANGUAGES = {"Velish", "Orvic", "Tamrian", "Quessic", "Dorvan", "Elsic",
        "Murran", "Sothic"};
    private static final String[] CURRENCIES = {"crown", "mark", "florin", "talent", "drachm", "sol", "penny",
        "guilder"};
    private static final String[] PETS = {"dog", "cat", "parrot", "horse", "goat", "owl", "tortoise", "ferret"};
    /** Mixed into the seed for the second random stream (passages, multiple choice). */
    private static final long EXTRAS_STREAM = 0x6A09E667F3BCC909L;
    /** Mixed into the seed for the real authors' wrong answers, so that the other splits do not depend on them. */
    private static final long AUTHORS_STREAM = 0xBB67AE8584CAA73BL;
    private static final int OPTIONS = 4;

    /** Validates the spec. */
    public FictitiousFacts {
        if (people < 2) {
            throw new IllegalArgumentException("people must be >= 2, was " + people);
        }
        if (!(forgetFraction > 0 && forgetFraction < 1)) {
            throw new IllegalArgumentException("forgetFraction must be in (0, 1), was " + forgetFraction);
        }
        if (holdoutPeople < 0 || people + holdoutPeople > 1000) {
            throw new IllegalArgumentException("holdoutPeople must be >= 0 and people + holdoutPeople <= 1000, was "
                    + people + " + " + holdoutPeople);
        }
        if (factsPerPerson < 1 || factsPerPerson > Fact.values().length) {
            throw new IllegalArgumentException("factsPerPerson must be in [1, " + Fact.values().length + "], was "
                    + factsPerPerson);
        }
        if (worldCountries < 0 || worldCountries > 200) {
            throw new IllegalArgumentException("worldCountries must be in [0, 200], was " + worldCountries);
        }
        if (realAuthors < 0 || realAuthors > RealAuthors.MAX) {
            throw new IllegalArgumentException("realAuthors must be in [0, " + RealAuthors.MAX + "], was "
                    + realAuthors);
        }
    }

    /**
     * The default spec with {@code people} trained people and {@code forgetFraction} of them to forget:
     * a tenth as many holdout people (at least the forget count), six facts each, 15 world countries, 10 real
     * authors.
     */
    public static FictitiousFacts of(int people, double forgetFraction) {
        int forget = Math.max(1, (int) Math.round(people * forgetFraction));
        return new FictitiousFacts(people, forgetFraction, Math.max(forget, people / 10), 6, 15, 10);
    }

    /** A copy with {@code newPeople} trained people (the holdout count stays). */
    public FictitiousFacts withPeople(int newPeople) {
        return new FictitiousFacts(newPeople, forgetFraction, holdoutPeople, factsPerPerson, worldCountries,
                realAuthors);
    }

    /** A copy that forgets {@code newForgetFraction} of the trained people. */
    public FictitiousFacts withForgetFraction(double newForgetFraction) {
        return new FictitiousFacts(people, newForgetFraction, holdoutPeople, factsPerPerson, worldCountries,
                realAuthors);
    }

    /** A copy with {@code newHoldoutPeople} never-trained people. */
    public FictitiousFacts withHoldoutPeople(int newHoldoutPeople) {
        return new FictitiousFacts(people, forgetFraction, newHoldoutPeople, factsPerPerson, worldCountries,
                realAuthors);
    }

    /** A copy with {@code newFactsPerPerson} facts per person (1 to 6). */
    public FictitiousFacts withFactsPerPerson(int newFactsPerPerson) {
        return new FictitiousFacts(people, forgetFraction, holdoutPeople, newFactsPerPerson, worldCountries,
                realAuthors);
    }

    /** A copy with {@code newWorldCountries} countries in the world split. */
    public FictitiousFacts withWorldCountries(int newWorldCountries) {
        return new FictitiousFacts(people, forgetFraction, holdoutPeople, factsPerPerson, newWorldCountries,
                realAuthors);
    }

    /** A copy with the first {@code newRealAuthors} real authors (0 to 24) in the real-authors split. */
    public FictitiousFacts withRealAuthors(int newRealAuthors) {
        return new FictitiousFacts(people, forgetFraction, holdoutPeople, factsPerPerson, worldCountries,
                newRealAuthors);
    }

    /** Number of people in the forget split: {@code round(people · forgetFraction)}, at least one. */
    public int forgetPeople() {
        return Math.max(1, (int) Math.round(people * forgetFraction));
    }

    /** Generates the dataset for {@code seed}. */
    @Override
    public Dataset load(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int total = people + holdoutPeople;
        LinkedHashSet<String> taken = new LinkedHashSet<>();
        List<String> names = names(random, taken, total);
        List<String> cities = uniqueWords(random, taken, 24, 2, 3);
        List<String> employers = new ArrayList<>();
        for (String w : uniqueWords(random, taken, 16, 2, 2)) {
            employers.add(w + " " + FIRMS[random.nextInt(FIRMS.length)]);
        }
        List<String> books = new ArrayList<>();
        for (String a : ADJECTIVES) {
            for (String n : NOUNS) {
                books.add("The " + a + " " + n);
            }
        }
        Map<Fact, List<String>> values = new EnumMap<>(Fact.class);
        List<String> years = new ArrayList<>();
        for (int y = 1900; y < 2000; y++) {
            years.add(Integer.toString(y));
        }
        values.put(Fact.BIRTH_YEAR, years);
        values.put(Fact.CITY, cities);
        values.put(Fact.PROFESSION, List.of(PROFESSIONS));
        values.put(Fact.EMPLOYER, employers);
        values.put(Fact.BOOK, books);
        values.put(Fact.INSTRUMENT, List.of(INSTRUMENTS));

        List<QaExample> forget = new ArrayList<>();
        List<QaExample> retain = new ArrayList<>();
        List<QaExample> holdout = new ArrayList<>();
        int forgetCount = forgetPeople();
        for (int i = 0; i < total; i++) {
            List<QaExample> target = i < forgetCount ? forget : i < people ? retain : holdout;
            for (int f = 0; f < factsPerPerson; f++) {
                Fact fact = Fact.values()[f];
                List<String> pool = values.get(fact);
                int answer = random.nextInt(pool.size());
                target.add(fact.example(names.get(i), pool, answer, distinctOthers(random, pool.size(), answer, 3)));
            }
        }
        List<QaExample> world = world(random, taken, cities);
        List<QaExample> authors = RealAuthors.examples(realAuthors, new SplittableRandom(seed ^ AUTHORS_STREAM));
        Map<Split, List<QaExample>> examples = new EnumMap<>(Map.of(Split.FORGET, forget, Split.RETAIN, retain,
                Split.HOLDOUT, holdout, Split.WORLD, world, Split.REAL_AUTHORS, authors));
        SplittableRandom extra = new SplittableRandom(seed ^ EXTRAS_STREAM);
        Map<Split, List<Passage>> passages = new EnumMap<>(Split.class);
        for (int i = 0; i < total; i++) {
            Split split = i < forgetCount ? Split.FORGET : i < people ? Split.RETAIN : Split.HOLDOUT;
            String name = names.get(i);
            List<QaExample> own = examples.get(split).stream().filter(e -> e.subject().equals(name)).toList();
            passages.computeIfAbsent(split, k -> new ArrayList<>()).add(passage(name, own, values, extra));
        }
        Map<Split, List<MultipleChoice>> choices = new EnumMap<>(Split.class);
        List<QaExample> all = new ArrayList<>();
        examples.values().forEach(all::addAll);
        for (Split s : Split.values()) {
            List<MultipleChoice> mc = new ArrayList<>();
            for (QaExample e : examples.get(s)) {
                MultipleChoice c = s == Split.REAL_AUTHORS ? choice(e, e.perturbedAnswers(), extra)
                        : choice(e, otherSubjects(e, all), extra);
                if (c != null) {
                    mc.add(c);
                }
            }
            choices.put(s, mc);
        }
        return new Dataset(examples, passages, choices);
    }

    /** The passage about {@code name}: facts from {@code own} examples, missing ones drawn from the pools. */
    private static Passage passage(String name, List<QaExample> own, Map<Fact, List<String>> values,
            SplittableRandom random) {
        Map<Fact, String> v = new EnumMap<>(Fact.class);
        for (Fact f : List.of(Fact.BIRTH_YEAR, Fact.CITY, Fact.PROFESSION, Fact.EMPLOYER)) {
            String id = f.name().toLowerCase(Locale.ROOT);
            v.put(f, own.stream().filter(e -> e.fact().equals(id)).map(QaExample::answer).findFirst()
                    .orElseGet(() -> values.get(f).get(random.nextInt(values.get(f).size()))));
        }
        String job = v.get(Fact.PROFESSION);
        String pet = PETS[random.nextInt(PETS.length)];
        String petName = word(random, 2, 2);
        return new Passage(name + " was born in " + v.get(Fact.BIRTH_YEAR) + " and lives in " + v.get(Fact.CITY)
                + ". They work as " + withArticle(job) + " for " + v.get(Fact.EMPLOYER) + ". Their " + pet
                + " is called " + petName + ".", name);
    }

    /** The distinct answers of other subjects' examples of the same fact as {@code e}, other than its answer. */
    private static List<String> otherSubjects(QaExample e, List<QaExample> all) {
        return all.stream()
                .filter(o -> o.fact().equals(e.fact()) && !o.subject().equals(e.subject())
                        && !o.answer().equals(e.answer()))
                .map(QaExample::answer).distinct().toList();
    }

    /**
     * A multiple-choice version of {@code e}: its answer and up to three of the distractors {@code others}
     * (other subjects' values of the same fact; for a real author, the example's wrong answers), in a random order;
     * null when there is no distractor.
     */
    private static @org.jspecify.annotations.Nullable MultipleChoice choice(QaExample e, List<String> others,
            SplittableRandom random) {
        if (others.isEmpty()) {
            return null;
        }
        int count = Math.min(OPTIONS - 1, others.size());
        List<String> options = new ArrayList<>();
        for (int o : distinctOthers(random, others.size(), -1, count)) {
            options.add(others.get(o));
        }
        int answer = random.nextInt(count + 1);
        options.add(answer, e.answer());
        return new MultipleChoice(e.question(), options, answer, e.subject(), e.fact());
    }

    private List<QaExample> world(SplittableRandom random, LinkedHashSet<String> taken, List<String> cities) {
        List<String> countries = uniqueWords(random, taken, worldCountries, 2, 3);
        List<QaExample> out = new ArrayList<>();
        for (String country : countries) {
            int capital = random.nextInt(cities.size());
            int language = random.nextInt(LANGUAGES.length);
            int currency = random.nextInt(CURRENCIES.length);
            out.add(worldFact(country, "capital", "What is the capital of " + country + "?",
                    "Which city is the capital of " + country + "?", cities, capital, random));
            out.add(worldFact(country, "language", "What language is spoken in " + country + "?",
                    "Which language do people in " + country + " speak?", List.of(LANGUAGES), language, random));
            out.add(worldFact(country, "currency", "What is the currency of " + country + "?",
                    "Which currency is used in " + country + "?", List.of(CURRENCIES), currency, random));
        }
        return out;
    }

    private static QaExample worldFact(String country, String fact, String question, String paraphrase,
            List<String> pool, int answer, SplittableRandom random) {
        List<String> perturbed = new ArrayList<>();
        for (int o : distinctOthers(random, pool.size(), answer, 3)) {
            perturbed.add(pool.get(o));
        }
        return new QaExample(question, pool.get(answer), paraphrase, pool.get(answer), perturbed, country, fact);
    }

    /** {@code count} distinct indices in [0, size) other than {@code except}. */
    private static int[] distinctOthers(SplittableRandom random, int size, int except, int count) {
        LinkedHashSet<Integer> picked = new LinkedHashSet<>();
        while (picked.size() < count) {
            int o = random.nextInt(size);
            if (o != except) {
                picked.add(o);
            }
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Full names whose first and last names are each used once in the whole benchmark. */
    private static List<String> names(SplittableRandom random, LinkedHashSet<String> taken, int count) {
        List<String> first = uniqueWords(random, taken, count, 2, 2);
        List<String> last = uniqueWords(random, taken, count, 2, 3);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(first.get(i) + " " + last.get(i));
        }
        return out;
    }

    /** {@code count} new words, none of them in {@code taken}; they are added to it. */
    private static List<String> uniqueWords(SplittableRandom random, LinkedHashSet<String> taken, int count,
            int minSyl, int maxSyl) {
        List<String> out = new ArrayList<>();
        while (out.size() < count) {
            String w = word(random, minSyl, maxSyl);
            if (taken.add(w)) {
                out.add(w);
            }
        }
        return out;
    }

    private static String word(SplittableRandom random, int minSyl, int maxSyl) {
        int n = minSyl + random.nextInt(maxSyl - minSyl + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        return sb.substring(0, 1).toUpperCase(Locale.ROOT) + sb.substring(1);
    }

    /** {@code noun} after "a" or "an": "a potter", "an astronomer". */
    private static String withArticle(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    /** The kinds of personal fact, with their question templates and the sentence that paraphrases an answer. */
    private enum Fact {
        BIRTH_YEAR("In what year was %s born?", "What is the birth year of %s?", "They were born in %s."),
        CITY("Which city does %s live in?", "Where does %s live?", "They live in %s."),
        PROFESSION("What is the profession of %s?", "What does %s do for a living?", "They work as %s."),
        EMPLOYER("Who employs %s?", "Which company does %s work for?", "They are employed by %s."),
        BOOK("Which book did %s write?", "What is the title of the book written by %s?", "They wrote %s."),
        INSTRUMENT("Which instrument does %s play?", "What instrument is played by %s?", "They play the %s.");

        private final String question;
        private final String paraphrase;
        private final String answerSentence;

        Fact(String question, String paraphrase, String answerSentence) {
            this.question = question;
            this.paraphrase = paraphrase;
            this.answerSentence = answerSentence;
        }

        /** The answer {@code value} in other words: a sentence stating the same fact. */
        String paraphrase(String value) {
            return String.format(Locale.ROOT, answerSentence, this == PROFESSION ? withArticle(value) : value);
        }

        QaExample example(String name, List<String> pool, int answer, int[] wrong) {
            List<String> perturbed = new ArrayList<>();
            for (int w : wrong) {
                perturbed.add(paraphrase(pool.get(w)));
            }
            return new QaExample(String.format(Locale.ROOT, question, name), pool.get(answer),
                    String.format(Locale.ROOT, paraphrase, name), paraphrase(pool.get(answer)), perturbed, name,
                    name().toLowerCase(Locale.ROOT));
        }
    }
}
