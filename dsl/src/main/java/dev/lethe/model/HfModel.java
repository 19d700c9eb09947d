package dev.lethe.model;

import static dev.lethe.part.ParamTypes.path;

import ai.djl.Device;
import dev.lethe.part.FieldException;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A pretrained model in a Hugging Face folder ({@link HfFolder}): what a recipe names as {@code model: {hf: DIR}}.
 * The architecture is the one its {@code config.json} describes, a run starts from its weights (not from an
 * initialisation), and its tokenizer (its {@link HfFolder#LETHE_TOKENIZER} when there, else {@code tokenizer.json}
 * with the special tokens of its tokenizer files) is the run's, formatting question-answer pairs through its chat
 * template ({@link QaTokenizer}). A relative folder resolves against the working directory, as a data folder does.
 * The folder is read when the model is used, not when the recipe is made; a problem with it is reported naming the
 * recipe field {@code model.hf}.
 *
 * @param dir the folder
 */
public record HfModel(Path dir) implements ModelSpec {
    /** The model {@code hf}. */
    public static final Kind<HfModel> KIND = Kind.of("hf", HfModel.class,
            "a pretrained Hugging Face model folder (config.json, safetensors, tokenizer files); the run starts "
            + "from its weights and uses its tokenizer and chat template",
            List.of(Param.required("dir", path(), "the folder (relative to the working directory)", HfModel::dir)),
            a -> new HfModel(a.get("dir"))).inlined();

    /** The field of recipe files that names the folder, for error messages. */
    static final String FIELD = "model.hf";

    /** The model in {@code dir}. */
    public static HfModel at(Path dir) {
        return new HfModel(dir);
    }

    /** The model in the folder {@code dir}. */
    public static HfModel at(String dir) {
        return new HfModel(Path.of(dir));
    }

    /**
     * The spec its {@code config.json} describes.
     *
     * @throws IllegalArgumentException naming {@code model.hf} when the folder is missing, has no {@code config.json}
     *     or one of an unknown {@code model_type} or unsupported field
     */
    public ModelSpec spec() {
        return spec(FIELD);
    }

    /**
     * {@link #spec()}, a problem reported naming the recipe field {@code field} (e.g. {@code stages[1].reference.hf}
     * for a reference loaded from a folder).
     */
    public ModelSpec spec(String field) {
        return checked(field, () -> HfFolder.spec(dir));
    }

    /**
     * Its weights, loaded onto {@code device}, trainable.
     *
     * @throws IllegalArgumentException naming {@code model.hf} as {@link #spec()} does, and for missing, misshapen
     *     or corrupted weights
     */
    public CausalLm load(Device device) {
        return load(device, FIELD);
    }

    /** {@link #load(Device)}, a problem reported naming the recipe field {@code field}. */
    public CausalLm load(Device device, String field) {
        return checked(field, () -> HfFolder.loadModel(dir, device));
    }

    /**
     * Its tokenizer, formatting question-answer pairs through the folder's chat template when it has one: Lethe's
     * word tokenizer when the folder holds {@link HfFolder#LETHE_TOKENIZER}, else {@link HfTokenizer#fromFolder}.
     * Close it when done.
     *
     * @throws IllegalArgumentException naming {@code model.hf} when the folder has no tokenizer or its tokenizer
     *     files are malformed
     */
    public QaTokenizer tokenizer() {
        return tokenizer(FIELD);
    }

    /** {@link #tokenizer()}, a problem reported naming the recipe field {@code field}. Close it when done. */
    public QaTokenizer tokenizer(String field) {
        return checked(field, () -> {
            Path word = dir.resolve(HfFolder.LETHE_TOKENIZER);
            if (Files.exists(word)) {
                return QaTokenizer.of(WordTokenizer.load(word));
            }
            if (!Files.exists(dir.resolve(HfTokenizer.FILE))) {
                throw new IllegalArgumentException(Printable.escape(dir.toString()) + " has no " + HfTokenizer.FILE
                        + "; a model folder needs the tokenizer it was trained with");
            }
            return QaTokenizer.of(HfTokenizer.fromFolder(dir));
        });
    }

    /**
     * The files the model and its tokenizer are read from, relative to the folder, in name order: {@code config.json},
     * the weights ({@code model.safetensors}, or the index and every {@code .safetensors} shard), and the tokenizer
     * files that exist ({@code tokenizer.json}, {@link HfFolder#LETHE_TOKENIZER}, {@code tokenizer_config.json},
     * {@code special_tokens_map.json}, {@code generation_config.json}, chat templates). What a content hash of
     * the model covers.
     *
     * @throws IllegalArgumentException naming {@code model.hf} when the folder does not exist
     */
    public List<Path> files() {
        return files(FIELD);
    }

    /** {@link #files()}, a problem reported naming the recipe field {@code field}. */
    public List<Path> files(String field) {
        return checked(field, () -> {
            List<String> named = List.of(HfConfig.FILE, HfWeights.INDEX, HfTokenizer.FILE, HfFolder.LETHE_TOKENIZER,
                    TokenizerConfig.FILE, TokenizerConfig.SPECIAL_TOKENS_MAP, TokenizerConfig.GENERATION_CONFIG,
                    TokenizerConfig.CHAT_TEMPLATE_FILE);
            List<Path> out = new ArrayList<>(list(dir).stream()
                    .filter(f -> named.contains(f.toString()) || f.toString().endsWith(".safetensors")).toList());
            if (Files.isDirectory(dir.resolve(TokenizerConfig.CHAT_TEMPLATE_DIR))) {
                out.addAll(list(dir.resolve(TokenizerConfig.CHAT_TEMPLATE_DIR)));
            }
            out.sort(null);
            return out;
        });
    }

    /** The regular files directly in {@code folder}, relative to {@link #dir}. */
    private List<Path> list(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).map(dir::relativize).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    @Override
    public Architecture architecture() {
        return spec().architecture();
    }

    @Override
    public int vocabSize() {
        return spec().vocabSize();
    }

    @Override
    public int contextLength() {
        return spec().contextLength();
    }

    @Override
    public int generationLimit() {
        return spec().generationLimit();
    }

    @Override
    public float dropout() {
        return spec().dropout();
    }

    /**
     * This model, whose vocabulary size is fixed by its folder.
     *
     * @throws IllegalArgumentException when {@code newVocabSize} is not the folder's
     */
    @Override
    public ModelSpec withVocabSize(int newVocabSize) {
        int own = vocabSize();
        if (newVocabSize != own) {
            throw new IllegalArgumentException(FIELD + ": the model folder " + Printable.escape(dir.toString())
                    + " has a vocabulary of " + own + " tokens, which a recipe cannot change to " + newVocabSize);
        }
        return this;
    }

    /** {@code read}, its failures reported as problems of the recipe field {@code field} ({@code model.hf}, ...). */
    private <T> T checked(String field, Supplier<T> read) {
        String shown = Printable.escape(dir.toString());
        if (!Files.isDirectory(dir)) {
            throw new FieldException(field, "the model folder " + shown + (Files.exists(dir)
                    ? " is not a folder" : " does not exist") + "; hf: DIR names a Hugging Face model folder "
                    + "(config.json, model.safetensors, tokenizer.json)");
        }
        if (!Files.exists(dir.resolve(HfConfig.FILE))) {
            throw new FieldException(field, "the model folder " + shown + " has no " + HfConfig.FILE
                    + "; a Hugging Face model folder holds config.json, the weights and the tokenizer files");
        }
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new FieldException(field, String.valueOf(e.getMessage()), e);
        } catch (UncheckedIOException e) {
            throw new FieldException(field, "cannot read the model folder " + shown + ": "
                    + e.getCause().getMessage(), e);
        }
    }
}
