package dev.lethe.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What a Hugging Face model folder says about its tokenizer besides {@code tokenizer.json}, resolved as
 * {@code transformers} 5.18 resolves it ({@code PreTrainedTokenizerBase._from_pretrained}):
 * <ul>
 *   <li><b>special tokens</b> ({@code bos_token}, {@code eos_token}, {@code pad_token}, {@code unk_token}) from
 *       {@code tokenizer_config.json}, each a string, an AddedToken object {@code {"content": ...}} or null. When
 *       that file has no {@code added_tokens_decoder} (the legacy layout), {@code special_tokens_map.json}'s entries
 *       replace them; with {@code added_tokens_decoder} that file is ignored, as transformers ignores it;
 *   <li><b>ids</b> from {@code generation_config.json}, then {@code config.json} ({@code bos_token_id},
 *       {@code eos_token_id} — an id or a list —, {@code pad_token_id}), which {@link HfTokenizer} uses where the
 *       tokenizer files name no token, and as the stop ids of generation;
 *   <li><b>chat templates</b>: {@code chat_template.jinja} and {@code additional_chat_templates/*.jinja} take
 *       priority over {@code chat_template} in {@code tokenizer_config.json}, itself a string (the default
 *       template) or a list of {@code {"name", "template"}};
 *   <li>{@code model_max_length} (absent when missing or beyond {@code int}, as the {@code 1e30} "no limit"
 *       value), {@code clean_up_tokenization_spaces} (default false), {@code add_bos_token} and
 *       {@code add_eos_token} (read and checked; transformers 5.18 drops them when a {@code tokenizer.json} is
 *       present and follows its post-processor, and so does {@link HfTokenizer#encodeWithSpecialTokens}).
 * </ul>
 * Every file is optional. A file that is present but not valid JSON, or a field of the wrong type, is an
 * {@link IllegalArgumentException} naming the file and the field.
 */
public final class TokenizerConfig {
    /** The tokenizer configuration file. */
    public static final String FILE = "tokenizer_config.json";
    /** The legacy special-token file. */
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    /** The generation defaults file. */
    public static final String GENERATION_CONFIG = "generation_config.json";
    /** The default chat template as its own file (transformers 4.5x and later write it). */
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
    /** The folder of named chat templates, one {@code <name>.jinja} each. */
    public static final String CHAT_TEMPLATE_DIR = "additional_chat_templates";
    /** The name of the template used when none is asked for. */
    public static final String DEFAULT_TEMPLATE = "default";
    /** The special-token fields, in the order transformers lists them. */
    public static final List<String> TOKEN_FIELDS = List.of("bos_token", "eos_token", "unk_token", "pad_token");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A special token's text and the file that named it (for errors). */
    public record SpecialToken(String content, Path file) {}

    private final Path folder;
    private final Map<String, SpecialToken> tokens;
    private final Map<String, String> chatTemplates;
    private final @Nullable Integer modelMaxLength;
    private final boolean cleanUp;
    private final @Nullable Boolean addBos;
    private final @Nullable Boolean addEos;
    private final @Nullable JsonNode generation;
    private final @Nullable JsonNode model;

    private TokenizerConfig(Path folder, Map<String, SpecialToken> tokens, Map<String, String> chatTemplates,
            @Nullable Integer modelMaxLength, boolean cleanUp, @Nullable Boolean addBos, @Nullable Boolean addEos,
            @Nullable JsonNode generation, @Nullable JsonNode model) {
        this.folder = folder;
        this.tokens = tokens;
        this.chatTemplates = chatTemplates;
        this.modelMaxLength = modelMaxLength;
        this.cleanUp = cleanUp;
        this.addBos = addBos;
        this.addEos = addEos;
        this.generation = generation;
        this.model = model;
    }

    /**
     * Reads the tokenizer files of {@code folder} (none of them required).
     *
     * @throws IllegalArgumentException when a present file is not a JSON object or a field has the wrong type
     */
    public static TokenizerConfig read(Path folder) {
        Path configFile = folder.resolve(FILE);
        JsonNode config = object(configFile);
        Map<String, SpecialToken> tokens = new LinkedHashMap<>();
        Boolean addBos = null;
        Boolean addEos = null;
        Integer maxLength = null;
        boolean cleanUp = false;
        Map<String, String> templates = new LinkedHashMap<>();
        if (config != null) {
            putTokens(tokens, config, configFile);
            addBos = bool(config, "add_bos_token", configFile);
            addEos = bool(config, "add_eos_token", configFile);
            Boolean clean = bool(config, "clean_up_tokenization_spaces", configFile);
            cleanUp = clean != null && clean;
            maxLength = maxLength(config, configFile);
            templates.putAll(templates(config, configFile));
        }
        Path mapFile = folder.resolve(SPECIAL_TOKENS_MAP);
        JsonNode map = object(mapFile);
        if (map != null && (config == null || !config.has("added_tokens_decoder"))) {
            for (String field : TOKEN_FIELDS) {
                if (map.has(field)) {
                    tokens.remove(field);
                }
            }
            putTokens(tokens, map, mapFile);
        }
        Map<String, String> files = templateFiles(folder);
        if (!files.isEmpty()) {
            templates = files;
        }
        return new TokenizerConfig(folder, Collections.unmodifiableMap(tokens),
                Collections.unmodifiableMap(templates), maxLength, cleanUp, addBos, addEos,
                object(folder.resolve(GENERATION_CONFIG)), object(folder.resolve(HfConfig.FILE)));
    }

    /** The folder read. */
    public Path folder() {
        return folder;
    }

    /** The special token named by {@code field} ({@code bos_token}, ...), if the tokenizer files name one. */
    public Optional<SpecialToken> token(String field) {
        return Optional.ofNullable(tokens.get(field));
    }

    /** The special-token texts the tokenizer files name, by field; what a chat template sees. */
    public Map<String, String> tokenTexts() {
        Map<String, String> out = new LinkedHashMap<>();
        tokens.forEach((field, token) -> out.put(field, token.content()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The ids {@code field} ({@code bos_token_id}, {@code eos_token_id}, {@code pad_token_id}) holds in
     * {@code generation_config.json}, else in {@code config.json}; empty when neither has it.
     *
     * @throws IllegalArgumentException when the field is neither an integer, a list of integers nor null
     */
    public List<Integer> ids(String field) {
        if (generation != null && generation.hasNonNull(field)) {
            return ids(generation.get(field), folder.resolve(GENERATION_CONFIG), field);
        }
        if (model != null && model.hasNonNull(field)) {
            return ids(model.get(field), folder.resolve(HfConfig.FILE), field);
        }
        return List.of();
    }

    /** The file {@link #ids} read {@code field} from, for errors. */
    Path idsFile(String field) {
        return folder.resolve(generation != null && generation.hasNonNull(field) ? GENERATION_CONFIG : HfConfig.FILE);
    }

    /** Named chat templates ({@value #DEFAULT_TEMPLATE} for the default), in the order the folder lists them. */
    public Map<String, String> chatTemplates() {
        return chatTemplates;
    }

    /** {@code model_max_length}, if given and within {@code int}. */
    public OptionalInt modelMaxLength() {
        return modelMaxLength == null ? OptionalInt.empty() : OptionalInt.of(modelMaxLength);
    }

    /** {@code clean_up_tokenization_spaces} (false when absent). */
    public boolean cleanUpTokenizationSpaces() {
        return cleanUp;
    }

    /** {@code add_bos_token}, if given (informational: see the class comment). */
    public Optional<Boolean> addBosToken() {
        return Optional.ofNullable(addBos);
    }

    /** {@code add_eos_token}, if given (informational: see the class comment). */
    public Optional<Boolean> addEosToken() {
        return Optional.ofNullable(addEos);
    }

    private static @Nullable JsonNode object(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        String text;
        try {
            text = Files.readString(ConfinedPaths.regularFile(file, "tokenizer file"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return n;
    }

    private static void putTokens(Map<String, SpecialToken> tokens, JsonNode json, Path file) {
        for (String field : TOKEN_FIELDS) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isTextual()) {
                tokens.put(field, new SpecialToken(v.asText(), file));
            } else if (v.isObject() && v.path("content").isTextual()) {
                tokens.put(field, new SpecialToken(v.get("content").asText(), file));
            } else {
                throw new IllegalArgumentException(file + ": field " + field + " must be a string, an AddedToken "
                        + "object {\"content\": \"...\"} or null, not " + v);
            }
        }
    }

    private static @Nullable Boolean bool(JsonNode json, String field, Path file) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(file + ": field " + field + " must be true or false, not " + v);
        }
        return v.asBoolean();
    }

    private static @Nullable Integer maxLength(JsonNode json, Path file) {
        JsonNode v = json.get("model_max_length");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || v.asDouble() < 1) {
            throw new IllegalArgumentException(file + ": field model_max_length must be a positive number, not " + v);
        }
        return v.isIntegralNumber() && v.canConvertToInt() ? Integer.valueOf(v.asInt()) : null;
    }

    private static Map<String, String> templates(JsonNode json, Path file) {
        JsonNode v = json.get("chat_template");
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.put(DEFAULT_TEMPLATE, v.asText());
            return out;
        }
        if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                JsonNode t = v.get(i);
                if (!t.path("name").isTextual() || !t.path("template").isTextual()) {
                    throw new IllegalArgumentException(file + ": field chat_template[" + i + "] must be an object "
                            + "{\"name\": \"...\", \"template\": \"...\"}, not " + t);
                }
                out.put(t.get("name").asText(), t.get("template").asText());
            }
            return out;
        }
        throw new IllegalArgumentException(file + ": field chat_template must be a string or a list of "
                + "{\"name\", \"template\"} objects, not " + v.getNodeType());
    }

    private static Map<String, String> templateFiles(Path folder) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            Path main = folder.resolve(CHAT_TEMPLATE_FILE);
            if (Files.exists(main)) {
                out.put(DEFAULT_TEMPLATE, Files.readString(ConfinedPaths.regularFile(main, "chat template")));
            }
            Path dir = folder.resolve(CHAT_TEMPLATE_DIR);
            if (Files.isDirectory(dir)) {
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".jinja")).sorted().toList());
                }
                for (Path f : files) {
                    ConfinedPaths.requireWithin(folder, f, "chat template");
                    String name = f.getFileName().toString();
                    out.put(name.substring(0, name.length() - ".jinja".length()),
                            Files.readString(ConfinedPaths.regularFile(f, "chat template")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chat templates of " + folder, e);
        }
        return out;
    }

    private static List<Integer> ids(JsonNode v, Path file, String field) {
        List<Integer> out = new ArrayList<>();
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            out.add(v.asInt());
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw new IllegalArgumentException(file + ": field " + field + " must hold integer ids, not " + e);
                }
                out.add(e.asInt());
            }
        } else {
            throw new IllegalArgumentException(file + ": field " + field + " must be an id or a list of ids, not " + v);
        }
        return List.copyOf(out);
    }
}
