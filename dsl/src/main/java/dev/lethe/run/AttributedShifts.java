package dev.lethe.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@code attribute} stage leaves: for each example it predicted, the datamodel's attributed effect of the
 * forget set on the model's logits, Σ_{i∈F} β_ij (Georgiev et al. 2024, "Attribute-to-Delete", arXiv:2410.23232,
 * §3), as {@code answerPositions × vocabulary} floats (the positions of the example's answer mask, in order). Keyed
 * by the example's encoded tokens ({@link #key}), so that any stage that encodes an example the same way finds it,
 * whatever the example's position in a batch or a request's chunk.
 *
 * @param vocabulary the vocabulary size V
 * @param shifts per example key, its shifts, row after row (answer position, then token)
 */
record AttributedShifts(int vocabulary, Map<String, float[]> shifts) {
    /** Copies the map. */
    AttributedShifts {
        shifts = Collections.unmodifiableMap(new LinkedHashMap<>(shifts));
    }

    /** The key of an encoded example: its prompt and answer tokens and whether it is closed by {@code <eos>}. */
    static String key(Encoded e) {
        return Arrays.toString(e.prompt()) + "|" + Arrays.toString(e.answer()) + "|" + e.closed();
    }

    /**
     * The shifts of {@code batch}'s rows ({@code examples}, in order) as a (batch, time, vocabulary) float32 array in
     * {@code manager}: each row's shifts at its answer positions ({@link Batch#mask()}), in order, 0 elsewhere.
     *
     * @throws IllegalStateException naming the example when it was not predicted, or has another number of answer
     *     positions than when it was (encoded otherwise, e.g. cut to another {@code max_length})
     */
    NDArray of(Batch batch, List<Encoded> examples, NDManager manager) {
        float[] mask = batch.mask().toType(DataType.FLOAT32, false).toFloatArray();
        int rows = batch.size();
        int time = mask.length / rows;
        float[] out = new float[rows * time * vocabulary];
        for (int b = 0; b < rows; b++) {
            float[] s = shifts.get(key(examples.get(b)));
            if (s == null) {
                throw new IllegalStateException("the attribute stage predicted no shift for the example of row " + b
                        + " of this batch (answer tokens " + Arrays.toString(examples.get(b).answer()) + "): it "
                        + "predicts the examples of its target splits, encoded as the unlearn stage encodes them (the "
                        + "same max_length)");
            }
            int k = 0;
            for (int t = 0; t < time; t++) {
                if (mask[b * time + t] > 0) {
                    if ((k + 1) * vocabulary > s.length) {
                        throw new IllegalStateException("the example of row " + b + " has more answer positions than "
                                + "the attribute stage predicted (" + s.length / vocabulary + ")");
                    }
                    System.arraycopy(s, k * vocabulary, out, (b * time + t) * vocabulary, vocabulary);
                    k++;
                }
            }
            if (k * vocabulary != s.length) {
                throw new IllegalStateException("the example of row " + b + " has " + k + " answer positions, the "
                        + "attribute stage predicted " + s.length / vocabulary);
            }
        }
        return manager.create(out, new Shape(rows, time, vocabulary));
    }

    private static final String MAGIC = "lethe-attributed-shifts-1";

    /** Writes these shifts to {@code file} atomically (a temporary file, then a rename). */
    void write(Path file) {
        AtomicFiles.write(file, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeUTF(MAGIC);
            data.writeInt(vocabulary);
            data.writeInt(shifts.size());
            for (Map.Entry<String, float[]> e : shifts.entrySet()) {
                data.writeUTF(e.getKey());
                data.writeInt(e.getValue().length);
                for (float v : e.getValue()) {
                    data.writeFloat(v);
                }
            }
            data.flush();
        });
    }

    /** The shifts {@link #write} wrote to {@code file}; empty when there is none or it cannot be read (corrupt). */
    static Optional<AttributedShifts> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (!in.readUTF().equals(MAGIC)) {
                return Optional.empty();
            }
            int vocabulary = in.readInt();
            int count = in.readInt();
            if (vocabulary < 1 || count < 0) {
                return Optional.empty();
            }
            Map<String, float[]> shifts = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                int length = in.readInt();
                if (length < 0 || length % vocabulary != 0 || length > (1 << 28)) {
                    return Optional.empty();
                }
                float[] values = new float[length];
                for (int k = 0; k < length; k++) {
                    values[k] = in.readFloat();
                }
                shifts.put(key, values);
            }
            return in.read() == -1 ? Optional.of(new AttributedShifts(vocabulary, shifts)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // truncated or foreign: computed again, then rewritten
        }
    }
}
