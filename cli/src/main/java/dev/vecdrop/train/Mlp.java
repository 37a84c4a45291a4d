package dev.vecdrop.train;

import dev.vecdrop.Activation;
import dev.vecdrop.DropConnect;
import dev.vecdrop.Dropout;
import dev.vecdrop.DropoutLayer;
import dev.vecdrop.FusedDropout;
import dev.vecdrop.MaxNorm;
import dev.vecdrop.Scaling;
import dev.vecdrop.Seeds;
import dev.vecdrop.train.matrix.MatrixKernel;
import dev.vecdrop.train.matrix.MatrixKernels;
import java.util.SplittableRandom;

/**
 * A multilayer perceptron with ReLU hidden layers and a softmax cross-entropy output, trained by mini-batch SGD
 * with momentum. Dropout (on the input and after every hidden ReLU), its backward pass and the max-norm
 * projection go through vecdrop, and so do the matrix products ({@link MatrixKernel}: every element summed with
 * {@code fma} in a fixed order, so a run gives the same bits at every vector width; docs/training.md says why not
 * netlib).
 *
 * <p>Layout: a batch is column-major, {@code features x batch}, one sample's features contiguous. Layer
 * {@code l}'s weights are a {@code fanIn x units} column-major matrix, so unit {@code j}'s incoming weight vector is
 * contiguous at {@code [j * fanIn, (j + 1) * fanIn)}: what max-norm projects. The forward pass multiplies by a
 * transposed copy ({@code units x fanIn}), refreshed after each update, so that all three products run their
 * vectors down contiguous columns.
 *
 * <p>Dropout masks are regenerated in the backward pass from each layer's seed ({@code Seeds.derive(seed, l)}) and
 * the stream offset its forward used; nothing is stored. Hidden layers in training run bias + ReLU + dropout as one
 * {@link FusedDropout} pass, and its backward (ReLU derivative read from the layer's output, and the bias
 * gradient): the same operations in the same order as the separate loops, so the same bits (alpha dropout, which
 * the fused kernels do not take, keeps the separate loops). {@code pre[l]} of a hidden layer is therefore
 * {@code W^T a} without the bias.
 *
 * <p>Drop-connect ({@link DropConnect}, optional): each hidden layer's incoming weights are masked for every training
 * step, {@code W' = W * m / (1 - p)} with the mask of {@code (Seeds.derive(seed, 2_000 + l), step)}, the step counting
 * training forwards from 0. The forward and the product that carries the gradient down use {@code W'}; the weight
 * gradient, taken with respect to {@code W'}, is masked back onto {@code W} by the regenerated mask. The output
 * layer's weights are not masked, and eval uses {@code W}.
 *
 * <p>Thread-safety: not thread-safe (owns its work buffers). Allocation: none per step after construction.
 */
public final class Mlp {

    private final MatrixKernel matrix = MatrixKernels.active();
    private final int[] sizes;
    private final int layers;
    private final int capacity;
    private final float[][] weights;
    /** transposed[l]: layer l's weights as a {@code units x fanIn} column-major matrix, for the forward pass. */
    private final float[][] transposed;
    /** Whether {@link #transposed} lags behind {@link #weights}. */
    private boolean transposedStale = true;
    private final float[][] biases;
    private final float[][] weightVelocity;
    private final float[][] biasVelocity;
    private final float[][] weightGradients;
    private final float[][] biasGradients;
    /** act[l]: the input to layer l + 1 (after ReLU and dropout); act[0] is the dropped-out input batch. */
    private final float[][] activations;
    /** pre[l]: layer l's {@code W^T a}, l >= 1; the bias is added in too for the output layer only (the logits). */
    private final float[][] preActivations;
    private final float[][] deltas;
    private final Dropout[] dropouts;
    private final DropoutLayer[] dropoutLayers;
    /** fused[l]: bias + ReLU + dropout of hidden layer l (null for alpha dropout, and for l = 0). */
    private final FusedDropout[] fused;
    private final long[] tickets;
    /** Null without drop-connect. */
    private final DropConnect dropConnect;
    /** masked[l]: hidden layer l's weights under this step's drop-connect mask (null without drop-connect). */
    private final float[][] masked;
    private final long[] dropConnectSeeds;
    /** The drop-connect step of the next training forward, and of the last one (what backward regenerates). */
    private long nextDropConnectStep;
    private long dropConnectStep;

    /**
     * @param sizes     layer widths: inputs, hidden layers..., classes
     * @param dropInput drop probability on the input (0 for none)
     * @param dropHidden drop probability after every hidden layer (0 for none)
     * @param capacity  the largest batch
     */
    public Mlp(int[] sizes, double dropInput, double dropHidden, Scaling scaling, int capacity, long seed) {
        this(sizes, dropInput, dropHidden, scaling, 0, capacity, seed);
    }

    /**
     * @param sizes       layer widths: inputs, hidden layers..., classes
     * @param dropInput   drop probability on the input (0 for none)
     * @param dropHidden  drop probability after every hidden layer (0 for none)
     * @param dropConnect drop probability of each hidden layer's incoming weights per training step (0 for none)
     * @param capacity    the largest batch
     */
    public Mlp(int[] sizes, double dropInput, double dropHidden, Scaling scaling, double dropConnect, int capacity,
               long seed) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("need at least an input and an output layer");
        }
        this.sizes = sizes.clone();
        this.layers = sizes.length - 1;
        this.capacity = capacity;
        weights = new float[layers + 1][];
        transposed = new float[layers + 1][];
        biases = new float[layers + 1][];
        weightVelocity = new float[layers + 1][];
        biasVelocity = new float[layers + 1][];
        weightGradients = new float[layers + 1][];
        biasGradients = new float[layers + 1][];
        activations = new float[layers][];
        preActivations = new float[layers + 1][];
        deltas = new float[layers + 1][];
        dropouts = new Dropout[layers];
        dropoutLayers = new DropoutLayer[layers];
        fused = new FusedDropout[layers];
        tickets = new long[layers];
        SplittableRandom init = new SplittableRandom(Seeds.derive(seed, 1_000));
        for (int l = 1; l <= layers; l++) {
            int fanIn = sizes[l - 1];
            int units = sizes[l];
            weights[l] = new float[fanIn * units];
            double std = Math.sqrt(2.0 / fanIn); // He initialisation for ReLU
            for (int i = 0; i < weights[l].length; i++) {
                weights[l][i] = (float) (init.nextGaussian() * std);
            }
            transposed[l] = new float[fanIn * units];
            biases[l] = new float[units];
            weightVelocity[l] = new float[fanIn * units];
            biasVelocity[l] = new float[units];
            weightGradients[l] = new float[fanIn * units];
            biasGradients[l] = new float[units];
            preActivations[l] = new float[units * capacity];
            deltas[l] = new float[units * capacity];
        }
        for (int l = 0; l < layers; l++) {
            activations[l] = new float[sizes[l] * capacity];
            dropouts[l] = Dropout.of(l == 0 ? dropInput : dropHidden, scaling);
            dropoutLayers[l] = new DropoutLayer(dropouts[l], Seeds.derive(seed, l));
            if (l > 0 && scaling != Scaling.ALPHA) {
                fused[l] = FusedDropout.of(dropouts[l], Activation.relu());
            }
        }
        deltas[0] = new float[sizes[0] * capacity];
        this.dropConnect = dropConnect > 0 ? DropConnect.of(dropConnect) : null;
        masked = new float[layers][];
        dropConnectSeeds = new long[layers];
        if (this.dropConnect != null) {
            for (int l = 1; l < layers; l++) {
                masked[l] = new float[sizes[l - 1] * sizes[l]];
                dropConnectSeeds[l] = Seeds.derive(seed, 2_000 + l);
            }
        }
    }

    /** Which matrix kernel multiplies, for run headers. */
    public static String matrixKernelName() {
        return MatrixKernels.active().name();
    }

    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * Moves every dropout layer's stream to {@code position}, and the next drop-connect step to {@code position}, e.g.
     * to repeat a forward with the same masks.
     */
    public void seekStreams(long position) {
        for (DropoutLayer layer : dropoutLayers) {
            layer.seek(position);
        }
        nextDropConnectStep = position;
    }

    /**
     * Forward pass over {@code count} samples starting at {@code x[xOffset]}; training mode applies dropout masks
     * (and advances the streams), eval mode the eval scaling. Returns the logits, {@code classes x count}.
     */
    public float[] forward(float[] x, int xOffset, int count, boolean training) {
        if (count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " exceeds capacity " + capacity);
        }
        int n0 = sizes[0] * count;
        boolean connect = training && dropConnect != null;
        if (transposedStale || connect) {
            for (int l = 1; l <= layers; l++) {
                float[] w = weights[l];
                if (connect && l < layers) {
                    w = dropConnect.weights(dropConnectSeeds[l], nextDropConnectStep, w, masked[l]);
                }
                transpose(w, sizes[l - 1], sizes[l], transposed[l]);
            }
            // The transposed copies now hold this step's masked weights: the next eval forward must refresh them.
            transposedStale = connect;
            if (connect) {
                dropConnectStep = nextDropConnectStep++;
            }
        }
        if (training) {
            tickets[0] = dropoutLayers[0].forward(x, xOffset, activations[0], 0, n0);
        } else {
            dropouts[0].eval(x, xOffset, activations[0], 0, n0);
        }
        for (int l = 1; l <= layers; l++) {
            int fanIn = sizes[l - 1];
            int units = sizes[l];
            float[] z = preActivations[l];
            // z = W^T a + b, with W^T stored units x fanIn and a read column by column
            matrix.multiply(units, count, fanIn, transposed[l], 0, units, activations[l - 1], 0, 1, fanIn, z, 0, units);
            float[] b = biases[l];
            if (l == layers) { // the logits
                for (int s = 0; s < count; s++) {
                    for (int j = 0; j < units; j++) {
                        z[s * units + j] += b[j];
                    }
                }
            } else {
                float[] a = activations[l];
                int n = units * count;
                if (training && fused[l] != null) {
                    // a = dropout(relu(z + b)) in one pass, at the stream range the layer would have used
                    long offset = dropoutLayers[l].position();
                    dropoutLayers[l].seek(offset + n);
                    fused[l].forward(dropoutLayers[l].seed(), offset, z, 0, b, 0, a, 0, n, units);
                    tickets[l] = offset;
                } else {
                    for (int s = 0; s < count; s++) {
                        for (int j = 0; j < units; j++) {
                            a[s * units + j] = Math.max(z[s * units + j] + b[j], 0.0f);
                        }
                    }
                    if (training) {
                        tickets[l] = dropoutLayers[l].forward(a, 0, a, 0, n);
                    } else {
                        dropouts[l].eval(a, 0, a, 0, n);
                    }
                }
            }
        }
        return preActivations[layers];
    }

    /**
     * Softmax cross-entropy of the last forward's logits against {@code labels[labelOffset..]}: returns the mean
     * loss and leaves the logits' gradient (mean over the batch) for {@link #backward}. Counts errors into
     * {@code errors[0]} when given.
     */
    public double loss(byte[] labels, int labelOffset, int count, int[] errors) {
        int classes = sizes[layers];
        float[] z = preActivations[layers];
        float[] d = deltas[layers];
        double total = 0;
        int wrong = 0;
        for (int s = 0; s < count; s++) {
            int base = s * classes;
            int argmax = 0;
            float max = z[base];
            for (int c = 1; c < classes; c++) {
                if (z[base + c] > max) {
                    max = z[base + c];
                    argmax = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[base + c] - max);
            }
            int label = labels[labelOffset + s];
            total += Math.log(sum) - (z[base + label] - max);
            wrong += argmax == label ? 0 : 1;
            for (int c = 0; c < classes; c++) {
                double softmax = Math.exp(z[base + c] - max) / sum;
                d[base + c] = (float) ((softmax - (c == label ? 1 : 0)) / count);
            }
        }
        if (errors != null) {
            errors[0] += wrong;
        }
        return total / count;
    }

    /** Backward pass of the last training forward and {@link #loss}: fills the weight and bias gradients. */
    public void backward(int count) {
        for (int l = layers; l >= 1; l--) {
            int fanIn = sizes[l - 1];
            int units = sizes[l];
            float[] delta = deltas[l];
            // dW = a_{l-1} delta^T  (fanIn x units)
            matrix.multiply(fanIn, units, count, activations[l - 1], 0, fanIn, delta, 0, units, 1,
                    weightGradients[l], 0, fanIn);
            boolean connected = dropConnect != null && l < layers;
            if (connected) { // the gradient with respect to W', masked onto W
                dropConnect.maskGradient(dropConnectSeeds[l], dropConnectStep, weightGradients[l]);
            }
            float[] gb = biasGradients[l];
            if (l == layers || fused[l] == null) { // else the fused backward of layer l + 1 wrote it
                java.util.Arrays.fill(gb, 0.0f);
                for (int s = 0; s < count; s++) {
                    for (int j = 0; j < units; j++) {
                        gb[j] += delta[s * units + j];
                    }
                }
            }
            if (l > 1) {
                float[] below = deltas[l - 1];
                int n = fanIn * count;
                // d a_{l-1} = W delta, then back through dropout (mask regenerated) and the ReLU
                float[] w = connected ? masked[l] : weights[l]; // the forward's weights
                matrix.multiply(fanIn, count, units, w, 0, fanIn, delta, 0, 1, units, below, 0, fanIn);
                if (fused[l - 1] != null) {
                    // dropout's backward, the ReLU's derivative from the layer's output, and its bias gradient
                    fused[l - 1].backward(dropoutLayers[l - 1].seed(), tickets[l - 1], activations[l - 1], 0,
                            below, 0, below, 0, n, fanIn, biasGradients[l - 1], 0);
                } else {
                    dropoutLayers[l - 1].backward(tickets[l - 1], below, 0, below, 0, n);
                    float[] z = preActivations[l - 1];
                    float[] b = biases[l - 1];
                    for (int s = 0; s < count; s++) {
                        for (int j = 0; j < fanIn; j++) {
                            if (z[s * fanIn + j] + b[j] <= 0.0f) {
                                below[s * fanIn + j] = 0.0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * One SGD step with momentum: {@code v = momentum * v - rate * g; w += v}; then each hidden unit's incoming
     * weight vector is projected onto the ball of radius {@code maxNorm} (0 for none).
     *
     * @return how many hidden units max-norm scaled down in this step
     */
    public int update(float rate, float momentum, float maxNorm) {
        transposedStale = true;
        int projected = 0;
        for (int l = 1; l <= layers; l++) {
            step(weights[l], weightVelocity[l], weightGradients[l], rate, momentum);
            step(biases[l], biasVelocity[l], biasGradients[l], rate, momentum);
            if (maxNorm > 0 && l < layers) {
                projected += MaxNorm.project(weights[l], 0, sizes[l], sizes[l - 1], maxNorm);
            }
        }
        return projected;
    }

    /** {@code to[k * units + j] = from[j * fanIn + k]}, in blocks that stay in L1 on both sides. */
    private static void transpose(float[] from, int fanIn, int units, float[] to) {
        final int block = 32;
        for (int j0 = 0; j0 < units; j0 += block) {
            int j1 = Math.min(j0 + block, units);
            for (int k0 = 0; k0 < fanIn; k0 += block) {
                int k1 = Math.min(k0 + block, fanIn);
                for (int j = j0; j < j1; j++) {
                    for (int k = k0; k < k1; k++) {
                        to[k * units + j] = from[j * fanIn + k];
                    }
                }
            }
        }
    }

    private static void step(float[] w, float[] v, float[] g, float rate, float momentum) {
        for (int i = 0; i < w.length; i++) {
            v[i] = momentum * v[i] - rate * g[i];
            w[i] += v[i];
        }
    }

    /** A hash of which hidden pre-activations of the last forward are positive: tests use it to spot ReLU kinks. */
    long reluPatternHash(int count) {
        long hash = 1;
        for (int l = 1; l < layers; l++) {
            for (int i = 0; i < sizes[l] * count; i++) {
                hash = hash * 31 + (preActivations[l][i] + biases[l][i % sizes[l]] > 0 ? 1 : 0);
            }
        }
        return hash;
    }

    /** Layer {@code l}'s weights (1-based), for tests and gradient checks. */
    float[] weights(int l) {
        return weights[l];
    }

    /** Sets one weight of layer {@code l} (tests: finite differences); the forward pass sees it. */
    void setWeight(int l, int index, float value) {
        weights[l][index] = value;
        transposedStale = true;
    }

    float[] weightGradients(int l) {
        return weightGradients[l];
    }

    float[] biases(int l) {
        return biases[l];
    }

    float[] biasGradients(int l) {
        return biasGradients[l];
    }
}
