package dev.lethe.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The unscaled rotary settings of a {@code config.json} (rope type {@code default}): the base θ and the
 * fraction of each head that is rotated, read from transformers 5's {@code rope_parameters} when present, else
 * from the top-level fields older checkpoints carry ({@code rope_theta} or GPT-NeoX's {@code rotary_emb_base};
 * {@code partial_rotary_factor} or GPT-NeoX's {@code rotary_pct}) with {@code rope_scaling} null or absent. Any
 * other rope type is rejected with the file and field named.
 *
 * @param theta the rotary base
 * @param fraction the rotated fraction of each head, in (0, 1]
 */
record PlainRope(double theta, double fraction) {

    /**
     * The settings of {@code c}.
     *
     * @param thetaFields top-level fields that may hold the base, in order of preference
     * @param fractionFields top-level fields that may hold the rotated fraction, in order of preference
     * @param defaultFraction the fraction when no field gives one
     */
    static PlainRope read(HfConfig c, List<String> thetaFields, List<String> fractionFields, double defaultFraction) {
        double theta = first(c, thetaFields, 10000);
        double fraction = first(c, fractionFields, defaultFraction);
        String field = c.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
        JsonNode p = c.json().get(field);
        if (p == null || p.isNull()) {
            return new PlainRope(theta, fraction);
        }
        String supported = "rope_type default (unscaled rotary; rope_theta and partial_rotary_factor read)";
        if (!p.isObject()) {
            throw c.unsupported(field, supported);
        }
        String type = p.path("rope_type").asText(p.path("type").asText("default"));
        if (!type.equals("default")) {
            throw c.unsupported(field, supported);
        }
        return new PlainRope(number(c, field, p, "rope_theta", theta),
                number(c, field, p, "partial_rotary_factor", fraction));
    }

    /** Writes these settings as transformers 5 reads them: {@code rope_parameters} of type default. */
    void write(ObjectNode config) {
        config.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", theta)
                .put("partial_rotary_factor", fraction);
    }

    private static double first(HfConfig c, List<String> fields, double fallback) {
        for (String f : fields) {
            if (c.has(f)) {
                return c.real(f);
            }
        }
        return fallback;
    }

    /**
     * The number {@code key} of the rope settings object {@code p} (field {@code field} of {@code c}), or
     * {@code fallback} when absent or null; anything else than a number is refused naming the file and field.
     */
    static double number(HfConfig c, String field, JsonNode p, String key, double fallback) {
        JsonNode n = p.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(c.file() + ": field '" + field + "." + key + "' is " + n
                    + "; expected a number");
        }
        return n.doubleValue();
    }
}
