import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lethe.model.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads back a checkpoint the size of a GPT-2-small run's (its weight matrices and Adam's two
 * moments: 3 × 124 M floats, 1.4 GB) with {@link Safetensors}, and prints the seconds of each. Run by
 * {@code bench/checkpoint-io.sh}, which picks the heap limit.
 */
public final class CheckpointIo {
    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("lethe-checkpoint-io", ".safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String part : new String[] {"w", "m", "v"}) {
                tensors.put(part + "/wte", manager.zeros(new Shape(50257, 768)));
                for (int l = 0; l < 12; l++) {
                    tensors.put(part + "/h." + l + ".attn.c_attn", manager.zeros(new Shape(768, 2304)));
                    tensors.put(part + "/h." + l + ".attn.c_proj", manager.zeros(new Shape(768, 768)));
                    tensors.put(part + "/h." + l + ".mlp.c_fc", manager.zeros(new Shape(768, 3072)));
                    tensors.put(part + "/h." + l + ".mlp.c_proj", manager.zeros(new Shape(3072, 768)));
                }
            }
            long start = System.nanoTime();
            Safetensors.write(file, tensors, Map.of());
            System.out.printf("write %d MiB: %.1f s%n", Files.size(file) >> 20, (System.nanoTime() - start) / 1e9);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            long start = System.nanoTime();
            int n = Safetensors.read(file, manager).size();
            System.out.printf("read %d tensors: %.1f s%n", n, (System.nanoTime() - start) / 1e9);
        } finally {
            Files.delete(file);
        }
    }
}
