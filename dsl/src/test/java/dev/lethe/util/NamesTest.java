package dev.lethe.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The edit distance behind every did-you-mean. */
class NamesTest {
    @Test
    void levenshteinDistance() {
        assertEquals(3, Names.distance("kitten", "sitting"));
        assertEquals(3, Names.distance("", "abc"));
        assertEquals(0, Names.distance("npo", "npo"));
        assertEquals(2, Names.distance("simpno", "simnpo"));
        assertEquals(1, Names.distance("npoo", "npo"));
    }
}
