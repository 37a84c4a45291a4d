package dev.vecdrop.smile;

import java.util.OptionalLong;
import smile.model.mlp.ActivationFunction;

/**
 * Smile's layer factories ({@code smile.model.mlp.Layer}'s {@code input}, {@code linear}, {@code rectifier},
 * {@code leaky}, {@code sigmoid}, {@code tanh}), same names, same arguments, same defaults, for layers whose dropout
 * is vecdrop's. Switching a network is replacing {@code Layer.} with {@code VecdropLayer.} on the layers that drop:
 *
 * <pre>{@code
 * MLP model = new MLP(VecdropLayer.input(784, 0.2), VecdropLayer.rectifier(500, 0.5),
 *                     Layer.mle(10, OutputFunction.SOFTMAX));
 * }</pre>
 *
 * <p>The output layers ({@code Layer.mse}, {@code Layer.mle}) have no dropout and stay Smile's. The layer specs that
 * Smile parses from strings ({@code Layer.of}, {@code Layer.builder}) are not mirrored.
 *
 * <p>Thread-safety: stateless. Allocation: the builder each factory returns.
 */
public final class VecdropLayer {

    private VecdropLayer() {}

    /** {@return an input layer of {@code n} inputs, without dropout (Smile's {@code Layer.input(n)})} */
    public static VecdropInputLayerBuilder input(int n) {
        return input(n, 0.0);
    }

    /** {@return an input layer of {@code n} inputs that drops each with probability {@code dropout}} */
    public static VecdropInputLayerBuilder input(int n, double dropout) {
        return new VecdropInputLayerBuilder(n, dropout, OptionalLong.empty());
    }

    /** {@return a hidden layer of {@code n} linear units, without dropout} */
    public static VecdropHiddenLayerBuilder linear(int n) {
        return linear(n, 0.0);
    }

    /** {@return a hidden layer of {@code n} linear units, each dropped with probability {@code dropout}} */
    public static VecdropHiddenLayerBuilder linear(int n, double dropout) {
        return hidden(n, dropout, ActivationFunction.linear());
    }

    /** {@return a hidden layer of {@code n} rectified linear units, without dropout} */
    public static VecdropHiddenLayerBuilder rectifier(int n) {
        return rectifier(n, 0.0);
    }

    /** {@return a hidden layer of {@code n} rectified linear units, each dropped with probability {@code dropout}} */
    public static VecdropHiddenLayerBuilder rectifier(int n, double dropout) {
        return hidden(n, dropout, ActivationFunction.rectifier());
    }

    /** {@return a hidden layer of {@code n} leaky rectified units of Smile's default slope, without dropout} */
    public static VecdropHiddenLayerBuilder leaky(int n) {
        return leaky(n, 0.0);
    }

    /** {@return a hidden layer of {@code n} leaky rectified units of Smile's default slope, with dropout} */
    public static VecdropHiddenLayerBuilder leaky(int n, double dropout) {
        return hidden(n, dropout, ActivationFunction.leaky());
    }

    /** {@return a hidden layer of {@code n} leaky rectified units of slope {@code a} below zero, with dropout} */
    public static VecdropHiddenLayerBuilder leaky(int n, double dropout, double a) {
        return hidden(n, dropout, ActivationFunction.leaky(a));
    }

    /** {@return a hidden layer of {@code n} sigmoid units, without dropout} */
    public static VecdropHiddenLayerBuilder sigmoid(int n) {
        return sigmoid(n, 0.0);
    }

    /** {@return a hidden layer of {@code n} sigmoid units, each dropped with probability {@code dropout}} */
    public static VecdropHiddenLayerBuilder sigmoid(int n, double dropout) {
        return hidden(n, dropout, ActivationFunction.sigmoid());
    }

    /** {@return a hidden layer of {@code n} hyperbolic tangent units, without dropout} */
    public static VecdropHiddenLayerBuilder tanh(int n) {
        return tanh(n, 0.0);
    }

    /** {@return a hidden layer of {@code n} hyperbolic tangent units, each dropped with probability {@code dropout}} */
    public static VecdropHiddenLayerBuilder tanh(int n, double dropout) {
        return hidden(n, dropout, ActivationFunction.tanh());
    }

    private static VecdropHiddenLayerBuilder hidden(int n, double dropout, ActivationFunction activation) {
        return new VecdropHiddenLayerBuilder(n, dropout, activation, OptionalLong.empty());
    }

    /** The builders' check of the layer's size, made where it is named (Smile's fails later, or builds a useless layer). */
    static int checkNeurons(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("a layer needs at least one neuron, got " + n);
        }
        return n;
    }

    /**
     * The builders' check, at the line that names the probability (Smile's own is made later, when the network is
     * built, and lets NaN through).
     */
    static double checkDropout(double dropout) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        return dropout;
    }
}
