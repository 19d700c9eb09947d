package dev.lethe.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The built-in benchmark's {@link Split#REAL_AUTHORS} split: a fixed list of real, well-known authors with three
 * facts each (a famous book, the country of birth, the year of birth), asked as TOFU's "Real Authors" questions are
 * (Maini et al. 2024, §2.3: "Who wrote ...?"). As in TOFU's {@code real_authors_perturbed}, the truth ratio and the
 * normalised probability compare the answer itself with three wrong answers of the same kind (other authors'
 * values), so {@link QaExample#paraphrasedAnswer()} is the answer.
 */
final class RealAuthors {
    /** The most authors a spec can ask for. */
    static final int MAX = 24;

    /** One author: name, a famous book, country and year of birth. */
    private record Author(String name, String book, String country, int born) {}

    private static final List<Author> AUTHORS = List.of(
            new Author("Jane Austen", "Pride and Prejudice", "England", 1775),
            new Author("Leo Tolstoy", "War and Peace", "Russia", 1828),
            new Author("Mark Twain", "Adventures of Huckleberry Finn", "the United States", 1835),
            new Author("Gabriel Garcia Marquez", "One Hundred Years of Solitude", "Colombia", 1927),
            new Author("Chinua Achebe", "Things Fall Apart", "Nigeria", 1930),
            new Author("Haruki Murakami", "Norwegian Wood", "Japan", 1949),
            new Author("Miguel de Cervantes", "Don Quixote", "Spain", 1547),
            new Author("James Joyce", "Ulysses", "Ireland", 1882),
            new Author("Mary Shelley", "Frankenstein", "England", 1797),
            new Author("Jorge Luis Borges", "Ficciones", "Argentina", 1899),
            new Author("Charles Dickens", "Great Expectations", "England", 1812),
            new Author("Fyodor Dostoevsky", "Crime and Punishment", "Russia", 1821),
            new Author("Herman Melville", "Moby-Dick", "the United States", 1819),
            new Author("Toni Morrison", "Beloved", "the United States", 1931),
            new Author("Virginia Woolf", "Mrs Dalloway", "England", 1882),
            new Author("Oscar Wilde", "The Picture of Dorian Gray", "Ireland", 1854),
            new Author("Thomas Mann", "The Magic Mountain", "Germany", 1875),
            new Author("Albert Camus", "The Stranger", "Algeria", 1913),
            new Author("Jules Verne", "Twenty Thousand Leagues Under the Seas", "France", 1828),
            new Author("Alexandre Dumas", "The Count of Monte Cristo", "France", 1802),
            new Author("Rabindranath Tagore", "Gitanjali", "India", 1861),
            new Author("Astrid Lindgren", "Pippi Longstocking", "Sweden", 1907),
            new Author("Agatha Christie", "Murder on the Orient Express", "England", 1890),
            new Author("Hans Christian Andersen", "The Little Mermaid", "Denmark", 1805));

    private RealAuthors() {}

    /**
     * Three examples for each of the first {@code count} authors (book → author, author → country, author →
     * birth year), each with three distinct wrong answers drawn by {@code random} from the whole list's values.
     */
    static List<QaExample> examples(int count, SplittableRandom random) {
        if (count < 0 || count > MAX) {
            throw new IllegalArgumentException("realAuthors must be in [0, " + MAX + "], was " + count);
        }
        List<QaExample> out = new ArrayList<>();
        for (Author a : AUTHORS.subList(0, count)) {
            out.add(example(a, "book_author", "Who wrote " + a.book() + "?",
                    "Which author wrote " + a.book() + "?", Author::name, random));
            out.add(example(a, "author_country", "In which country was " + a.name() + " born?",
                    "What is the country of birth of " + a.name() + "?", Author::country, random));
            out.add(example(a, "author_birth_year", "In what year was the writer " + a.name() + " born?",
                    "When was the writer " + a.name() + " born?", x -> Integer.toString(x.born()), random));
        }
        return out;
    }

    private static QaExample example(Author a, String fact, String question, String paraphrase,
            Function<Author, String> value, SplittableRandom random) {
        String answer = value.apply(a);
        List<String> others = new ArrayList<>(new LinkedHashSet<>(AUTHORS.stream().map(value).toList()));
        others.remove(answer);
        LinkedHashSet<String> wrong = new LinkedHashSet<>();
        while (wrong.size() < 3) {
            wrong.add(others.get(random.nextInt(others.size())));
        }
        return new QaExample(question, answer, paraphrase, answer, List.copyOf(wrong), a.name(), fact);
    }
}
