package dev.lethe.model;

import static dev.lethe.model.PlainRope.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The LongRoPE settings of a {@code config.json} ({@link RopeScaling.Type#LONGROPE}): read from and written to
 * the rope object ({@code rope_parameters}, or {@code rope_scaling} in older files) as transformers 5 reads it
 * ({@code _compute_longrope_parameters}, {@code _validate_longrope_rope_parameters}): {@code short_factor} and
 * {@code long_factor} (one number per rotated pair of dimensions), {@code factor} (default
 * {@code max_position_embeddings / original_max_position_embeddings}) and {@code attention_factor} (default
 * derived from the factor). Which {@code original_max_position_embeddings} applies is the family's rule, so the
 * caller passes it.
 */
final class LongRope {
    /** The rope types read as LongRoPE: {@code longrope}, and Phi-3's older names for it. */
    static final List<String> PHI3_TYPES = List.of("longrope", "su", "yarn");

    private LongRope() {}

    /**
     * The scaling the rope object {@code p} (field {@code field} of {@code c}) declares, for a model whose
     * pretraining context was {@code original} and whose longest sequence is {@code maxPositions}; a missing or
     * non-numeric factor list is refused naming the file and field.
     */
    static RopeScaling read(HfConfig c, String field, JsonNode p, int original, int maxPositions) {
        double factor = number(c, field, p, "factor", maxPositions / (double) original);
        List<Double> shortFactor = factors(c, field, p, "short_factor");
        List<Double> longFactor = factors(c, field, p, "long_factor");
        try {
            return RopeScaling.longrope(shortFactor, longFactor, factor, original,
                    number(c, field, p, "attention_factor", Double.NaN));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": field '" + field + "': " + e.getMessage(), e);
        }
    }

    /** Writes {@code r}'s LongRoPE fields into the rope object {@code p} (rope type and base are the caller's). */
    static void write(ObjectNode p, RopeScaling r) {
        p.put("factor", r.factor()).put("original_max_position_embeddings", r.originalMaxPositions());
        r.shortFactor().forEach(p.putArray("short_factor")::add);
        r.longFactor().forEach(p.putArray("long_factor")::add);
        if (!Double.isNaN(r.attentionFactor())) {
            p.put("attention_factor", r.attentionFactor());
        }
    }

    private static List<Double> factors(HfConfig c, String field, JsonNode p, String key) {
        JsonNode n = p.get(key);
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(c.file() + ": field '" + field + "." + key + "' is "
                    + (n == null ? "missing" : n.toString()) + "; longrope needs a list of numbers");
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode v : n) {
            if (!v.isNumber()) {
                throw new IllegalArgumentException(c.file() + ": field '" + field + "." + key + "' holds " + v
                        + "; expected numbers");
            }
            out.add(v.doubleValue());
        }
        return out;
    }
}
