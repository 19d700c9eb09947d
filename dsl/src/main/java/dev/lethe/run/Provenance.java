package dev.lethe.run;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lethe.model.HfModel;
import dev.lethe.part.ContentInput;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import dev.lethe.util.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What a run needs to be reproduced: the recipe's hash, its data's, its model folder's, its reference folders', the
 * code's version, and the machine it ran on. {@link #hash()} covers the recipe text, the data's content, the model
 * folder's content, the reference folders' content, what parts read from files ({@link ContentInput}), the Lethe version and the git commit, and nothing else, so it
 * differs when and only when the recipe, the data, the pretrained model, a loaded reference or the code differs; it
 * names the run directory.
 *
 * @param hash SHA-256 of the recipe text, the data's content hash, the model folder's (when there is one), the
 *     references' and inputs' hashes, the Lethe version and the git commit (hex)
 * @param recipeHash SHA-256 of the resolved recipe's YAML text (hex)
 * @param dataHash SHA-256 of the content of the examples the recipe's data source gives (every split's
 *     question-answer examples, passages and multiple-choice questions; where the files are plays no part) (hex)
 * @param modelHash for a recipe whose model is a Hugging Face folder, the SHA-256 of the files the model and its
 *     tokenizer are read from (names and bytes; where the folder is plays no part) (hex); null for a model spec
 * @param referenceHashes for each reference stage that loads a folder ({@code reference: {hf: DIR}}), by the stage's
 *     name ({@code reference}, {@code reference-2}), the SHA-256 of the folder's files, as {@code modelHash}; empty
 *     when no reference is loaded
 * @param inputHashes for each stage with a part that reads a file's content ({@link ContentInput}, e.g.
 *     {@code refined_from_run}'s event log), by the stage's name, the SHA-256 of what those parts read; empty when
 *     none does
 * @param name the recipe's name
 * @param seed the recipe's seed
 * @param device the recipe's device; for {@code auto}, with the one it resolves to here (e.g. {@code auto (cpu())})
 * @param letheVersion {@link Lethe#VERSION}
 * @param gitCommit the commit of the working directory's git checkout, or null outside one
 * @param java the Java runtime's version and vendor
 * @param djl the DJL version
 * @param engine the engine and its version (PyTorch, i.e. libtorch)
 * @param os the operating system and architecture
 */
public record Provenance(String hash, String recipeHash, String dataHash, @Nullable String modelHash,
        Map<String, String> referenceHashes, Map<String, String> inputHashes, String name, long seed, String device, String letheVersion, @Nullable String gitCommit, String java, String djl,
        String engine, String os) {

    /** Copies the reference and input hashes. */
    public Provenance {
        referenceHashes = Collections.unmodifiableMap(new LinkedHashMap<>(referenceHashes));
        inputHashes = Collections.unmodifiableMap(new LinkedHashMap<>(inputHashes));
    }

    /**
     * The provenance of running {@code recipe}, whose resolved text is {@code yaml}, here and now; reads the
     * recipe's data (as the run will) to hash its content.
     *
     * @throws IllegalArgumentException when the data cannot be read
     */
    public static Provenance of(Recipe recipe, String yaml) {
        String commit = currentGitCommit();
        String dataHash = ContentHash.of(recipe.data().load(Seeds.derive(recipe.seed(), Runner.DATA_STREAM)));
        String modelHash = recipe.model() instanceof HfModel hf ? ContentHash.files(hf.dir(), hf.files()) : null;
        Map<String, String> referenceHashes = new LinkedHashMap<>();
        Map<String, String> inputHashes = new LinkedHashMap<>();
        StringBuilder references = new StringBuilder();
        for (NamedStage s : recipe.named()) {
            if (s.stage() instanceof HfReference r) {
                String h = ContentHash.files(r.dir(), r.folder().files(HfReference.field(s.index())));
                referenceHashes.put(s.name(), h);
                references.append("\nreference ").append(s.name()).append(' ').append(h);
            }
            List<ContentInput> inputs = ContentInput.in(s.stage());
            if (!inputs.isEmpty()) {
                String h = ContentHash.texts(inputs.stream().map(ContentInput::content).toList());
                inputHashes.put(s.name(), h);
                references.append("\ninputs ").append(s.name()).append(' ').append(h);
            }
        }
        String hash = sha256(yaml + "\ndata " + dataHash + (modelHash == null ? "" : "\nmodel " + modelHash)
                + references + "\nlethe " + Version.LETHE + "\ngit " + commit);
        Engine engine = Engine.getInstance();
        return new Provenance(hash, sha256(yaml), dataHash, modelHash, referenceHashes, inputHashes, recipe.name(), recipe.seed(),
                recipe.device().equals("auto") ? "auto (" + Runner.device("auto") + ")" : recipe.device(), Version.LETHE,
                commit,
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                Engine.getDjlVersion(), engine.getEngineName() + " " + engine.getVersion(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }

    /** The first 8 hex digits of {@link #hash()}. */
    public String shortHash() {
        return hash.substring(0, 8);
    }

    /** As a pretty-printed JSON object. */
    public String json() {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("hash", hash);
        m.put("recipe_hash", recipeHash);
        m.put("data_hash", dataHash);
        m.put("model_hash", modelHash);
        m.put("reference_hashes", referenceHashes);
        m.put("input_hashes", inputHashes);
        m.put("name", name);
        m.put("seed", seed);
        m.put("device", device);
        m.put("lethe_version", letheVersion);
        m.put("git_commit", gitCommit);
        m.put("java", java);
        m.put("djl", djl);
        m.put("engine", engine);
        m.put("os", os);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hex SHA-256 of {@code text} in UTF-8. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** {@code git rev-parse HEAD} in the working directory, or null when that fails (no git, no checkout). */
    static @Nullable String currentGitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
