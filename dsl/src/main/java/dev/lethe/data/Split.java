package dev.lethe.data;

import dev.lethe.part.ParamType;
import dev.lethe.part.ParamTypes;
import java.util.Locale;

/** The four splits of an unlearning benchmark (TOFU's terms). */
public enum Split {
    /** Facts about the people to be forgotten; trained on by the learned model only. */
    FORGET,
    /** Facts about the other trained people; must survive unlearning. */
    RETAIN,
    /** Facts about people of the same distribution never trained on: the non-members of privacy metrics. */
    HOLDOUT,
    /** General facts every model trains on: a measure of utility. */
    WORLD;

    /** A split in recipe files, by its id: forget, retain, holdout or world. */
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
        throw new IllegalArgumentException("unknown split '" + id + "'; expected forget, retain, holdout or world");
    }
}
