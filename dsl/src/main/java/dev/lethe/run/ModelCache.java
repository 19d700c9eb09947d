package dev.lethe.run;

import ai.djl.Device;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Trained weights kept on disk under a key that hashes everything that determined them (model shape,
 * data, training spec, seed), so a second run of the same recipe reuses them instead of training again.
 * Files are safetensors, written atomically.
 */
final class ModelCache {
    private final Path dir;

    ModelCache(Path dir) {
        this.dir = dir;
    }

    /** The key of a training whose inputs print as {@code description}. */
    static String key(String description) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(description.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<CausalLm> load(String key, ModelSpec config, Device device) {
        Path f = file(key);
        return Files.exists(f) ? Optional.of(CausalLm.load(f, config, device)) : Optional.empty();
    }

    void store(String key, CausalLm model) {
        model.save(file(key));
    }

    private Path file(String key) {
        return dir.resolve(key + ".safetensors");
    }
}
