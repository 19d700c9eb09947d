package dev.lethe.run;

import ai.djl.Device;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.PretrainingCorpus;
import dev.lethe.data.Split;
import dev.lethe.model.BpeTrainer;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ChatMlTokenizer;
import dev.lethe.model.HfFolder;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.LlamaConfig;
import dev.lethe.objective.Nll;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Schedules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An offline base model: since no model hub is reachable, Lethe makes its own small pretrained model, so that the
 * pretrained path (load a Hugging Face folder → finetune through its chat template → unlearn → evaluate → save)
 * runs anywhere. {@link #pretrain} trains a byte-level BPE tokenizer ({@link BpeTrainer}, ChatML's special tokens)
 * on the built-in {@link PretrainingCorpus}, pretrains a Llama-family model (tied head) on the same corpus with
 * AdamW (next-token NLL of every token, one text per row framed by {@code <|endoftext|>}), and writes a Hugging
 * Face folder that {@code transformers} loads: {@code config.json}, {@code model.safetensors},
 * and the tokenizer files of {@link ChatMlTokenizer} (a ChatML chat template, so instruct-style formatting is
 * exercised). Everything is seeded: the same options give the same folder,
 * byte for byte, on the same machine and engine.
 */
public final class BaseModel {
    private BaseModel() {}

    /**
     * What {@link #pretrain} makes.
     *
     * @param data the benchmark whose passages and world questions are pretrained on
     * @param fillerSentences general sentences added to the corpus ({@link PretrainingCorpus#filler})
     * @param vocabSize the tokenizer's largest vocabulary (≥ 256 bytes + 3 special tokens)
     * @param hidden the model's width
     * @param intermediate the MLP's inner width
     * @param layers the number of blocks
     * @param heads query heads
     * @param kvHeads key/value heads (grouped-query attention when fewer than {@code heads})
     * @param maxPositions the longest sequence
     * @param steps AdamW steps
     * @param batchSize texts per step
     * @param learningRate the peak learning rate (linear warm-up over a tenth of the steps, then a half cosine)
     * @param seed the seed of the benchmark, the initial weights and the data order
     * @param device where to train
     */
    public record Options(FictitiousFacts data, int fillerSentences, int vocabSize, int hidden, int intermediate,
            int layers, int heads, int kvHeads, int maxPositions, long steps, int batchSize, double learningRate,
            long seed, Device device) {
        /** Validates what the model shape does not. */
        public Options {
            if (steps < 0 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("steps must be >= 0, batchSize >= 1 and learningRate > 0, were "
                        + steps + ", " + batchSize + ", " + learningRate);
            }
        }

        /**
         * The defaults, which pretrain in a few minutes on two CPU cores: the benchmark {@code FictitiousFacts.of(50,
         * 0.1)}, 400 filler sentences, 512 tokens, width 64 (MLP 192), 2 blocks of 4 query and 2 key/value heads,
         * 256 positions, 600 steps of 16 texts at learning rate 3·10⁻³, seed 1, on the CPU.
         */
        public static Options defaults() {
            return new Options(FictitiousFacts.of(50, 0.1), 400, 512, 64, 192, 2, 4, 2, 256, 600, 16, 3e-3, 1,
                    Device.cpu());
        }

        /** A copy with {@code newSteps} steps. */
        public Options withSteps(long newSteps) {
            return new Options(data, fillerSentences, vocabSize, hidden, intermediate, layers, heads, kvHeads,
                    maxPositions, newSteps, batchSize, learningRate, seed, device);
        }

        /** A copy with seed {@code newSeed}. */
        public Options withSeed(long newSeed) {
            return new Options(data, fillerSentences, vocabSize, hidden, intermediate, layers, heads, kvHeads,
                    maxPositions, steps, batchSize, learningRate, newSeed, device);
        }

        /** A copy training on {@code newDevice}. */
        public Options withDevice(Device newDevice) {
            return new Options(data, fillerSentences, vocabSize, hidden, intermediate, layers, heads, kvHeads,
                    maxPositions, steps, batchSize, learningRate, seed, newDevice);
        }

        /** A copy of this shape: {@code newVocabSize} tokens, width {@code newHidden} (MLP three times), blocks. */
        public Options withShape(int newVocabSize, int newHidden, int newLayers) {
            return new Options(data, fillerSentences, newVocabSize, newHidden, 3 * newHidden, newLayers, heads,
                    kvHeads, maxPositions, steps, batchSize, learningRate, seed, device);
        }

        /** A copy pretraining on {@code newData} with {@code newFillerSentences} filler sentences. */
        public Options withCorpus(FictitiousFacts newData, int newFillerSentences) {
            return new Options(newData, newFillerSentences, vocabSize, hidden, intermediate, layers, heads, kvHeads,
                    maxPositions, steps, batchSize, learningRate, seed, device);
        }

        /** The model's shape for a tokenizer of {@code tokens} tokens. */
        LlamaConfig shape(int tokens) {
            return LlamaConfig.llama(tokens, hidden, intermediate, layers, heads, kvHeads).withTiedHead(true)
                    .withMaxPositions(maxPositions);
        }
    }

    /**
     * Pretrains a base model as {@code options} asks and writes it into {@code out} as a Hugging Face folder. The
     * folder is made beside {@code out} under a temporary name and renamed to {@code out} when complete, so a failed
     * or killed pretraining never leaves a partial model folder there.
     *
     * @return {@code out}
     * @throws IllegalArgumentException when {@code out} exists and is not an empty folder (nothing is overwritten),
     *     the shape is invalid, or a corpus text is longer than {@code maxPositions} tokens
     */
    public static Path pretrain(Path out, Options options) {
        requireEmpty(out);
        options.shape(options.vocabSize()); // a bad shape fails before anything is trained or written
        List<String> corpus = PretrainingCorpus.texts(options.data(), options.seed(), options.fillerSentences());
        BpeTrainer.Trained trained = BpeTrainer.chatMl(options.vocabSize()).train(corpus);
        Path partial;
        try {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            partial = Files.createTempDirectory(parent, "." + out.getFileName() + ".partial-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder beside " + out, e);
        }
        try {
            write(partial, trained, corpus, options);
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteWritten(partial);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot move the finished model folder to " + out, io);
            }
            throw (RuntimeException) e;
        }
        return out;
    }

    /** Writes {@code trained}'s tokenizer files, pretrains on {@code corpus} and saves the model in {@code folder}. */
    private static void write(Path folder, BpeTrainer.Trained trained, List<String> corpus, Options options) {
        ChatMlTokenizer.write(folder, trained, options.maxPositions());
        try (HfTokenizer tokenizer = HfTokenizer.fromFolder(folder);
                CausalLm model = CausalLm.initialize(options.shape(tokenizer.vocabSize()),
                        Seeds.derive(options.seed(), "base.init"), options.device())) {
            List<Encoded> texts = new ArrayList<>(corpus.size());
            for (String text : corpus) {
                int[] ids = tokenizer.encode(text);
                if (ids.length + 1 > options.maxPositions()) {
                    throw new IllegalArgumentException("a corpus text has " + ids.length + " tokens, more than "
                            + "maxPositions - 1 = " + (options.maxPositions() - 1) + ": " + text);
                }
                texts.add(new Encoded(new int[0], ids));
            }
            DirectTraining training = new DirectTraining(tokenizer, new Nll(Split.WORLD),
                    Optimizers.adamW(Schedules.warmupCosine(options.learningRate(), Math.max(1, options.steps() / 10)),
                            0.01),
                    options.batchSize(), options.steps(), Seeds.derive(options.seed(), "base.train"));
            training.train(model, Map.of(Split.WORLD, texts), null);
            HfFolder.save(folder, model, tokenizer);
        }
    }

    /** Deletes the temporary folder {@link #pretrain} made and the files it wrote there (no subfolders). */
    private static void deleteWritten(Path partial) {
        try (Stream<Path> entries = Files.list(partial)) {
            for (Path p : entries.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            System.err.println("could not remove the partial folder " + partial + ": " + e.getMessage());
        }
    }

    private static void requireEmpty(Path out) {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " is a file; give a new or empty folder for the base model");
        }
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(out + " is not empty; give a new or empty folder for the base "
                        + "model (nothing is overwritten)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
    }
}
