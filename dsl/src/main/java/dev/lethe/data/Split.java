package dev.lethe.data;

import dev.lethe.part.ParamType;
import dev.lethe.part.ParamTypes;
import java.util.Locale;

/**
 * The splits of an unlearning benchmark (TOFU's terms): the people to forget and to retain, never-trained
 * holdout people, and the two kinds of general knowledge every model holds, world facts and real authors.
 */
public enum Split {
    /** Facts about the people to be forgotten; trained on by the learned model only. */
    FORGET,
    /** Facts about the other trained people; must survive unlearning. */
    RETAIN,
    /** Facts about people of the same distribution never trained on: the non-members of privacy metrics. */
    HOLDOUT,
    /** General facts every model trains on: a measure of utility. */
    WORLD,
    /**
     * Facts about real, well-known people every model trains on (TOFU's "Real Authors"): a measure of utility,
     * never forgotten. Id {@code real_authors}.
     */
    REAL_AUTHORS;

    /** The ids of all splits, for messages: {@code forget, retain, holdout, world or real_authors}. */
    public static final String IDS = "forget, retain, holdout, world or real_authors";

    /** A split in recipe files, by its id: forget, retain, holdout, world or real_authors. */
    public static final ParamType TYPE = ParamTypes.choice(Split.class, Split::id);

    /** The lower-case name used in files and tables. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The split called {@code id} (case-insensitive). */
    public static Split of(String id) {
        for (Split s : values()) {
            if (s.id().equalsIgnoreCase(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown split '" + id + "'; expected " + IDS);
    }
}
