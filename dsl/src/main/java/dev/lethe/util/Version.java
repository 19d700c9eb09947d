package dev.lethe.util;

/** Lethe's version, low in the layers so that caches and provenance below the facade can read it. */
public final class Version {
    private Version() {}

    /** This library's version; part of every cache key, so a new version never reuses old trained models. */
    public static final String LETHE = "0.3.1";
}
