package dev.lethe.cli;

import dev.lethe.run.BaseModel;
import dev.lethe.run.Runner;
import dev.lethe.util.Printable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe base}: pretrains the offline base model ({@link BaseModel}) and writes it as a Hugging Face folder.
 */
@Command(name = "base", mixinStandardHelpOptions = true,
        description = "Pretrain a small Llama-family base model with its own byte-level BPE tokenizer and a ChatML "
                + "chat template on the built-in corpus, and write it as a Hugging Face folder (config.json, "
                + "model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json). Seeded: the "
                + "same options write the same folder.")
final class BaseCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The folder to write; it must not exist or be empty.")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "AdamW steps (default: ${DEFAULT-VALUE}).")
    long steps = BaseModel.Options.defaults().steps();

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the corpus, the weights and the data order "
            + "(default: ${DEFAULT-VALUE}).")
    long seed = BaseModel.Options.defaults().seed();

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu, gpu, gpu:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        try {
            BaseModel.pretrain(out, BaseModel.Options.defaults().withSteps(steps).withSeed(seed)
                    .withDevice(Runner.device(device)));
        } catch (IllegalArgumentException e) {
            return BadInput.report(spec.commandLine().getErr(), "base", e);
        }
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "base model written to %s in %.0f s%n",
                Printable.escape(out.toString()), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
