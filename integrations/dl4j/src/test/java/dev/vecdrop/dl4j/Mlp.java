package dev.vecdrop.dl4j;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A small MLP on a generated problem (no download): the fixture of the training tests and the step benchmark. */
final class Mlp {

    private Mlp() {
    }

    /**
     * {@code classes} Gaussian blobs in {@code features} dimensions, one-hot labels; the same data for the same seed.
     */
    static DataSet blobs(long seed, int examples, int features, int classes) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centres = new float[classes][features];
        for (float[] c : centres) {
            for (int j = 0; j < features; j++) {
                c[j] = (float) (random.nextDouble() * 4 - 2);
            }
        }
        float[][] x = new float[examples][features];
        float[][] y = new float[examples][classes];
        for (int i = 0; i < examples; i++) {
            int k = i % classes;
            for (int j = 0; j < features; j++) {
                x[i][j] = centres[k][j] + (float) (random.nextDouble() * 2 - 1);
            }
            y[i][k] = 1;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    /**
     * Batches of uniform features in [-1, 1) with random labels: nothing to learn, so the loss and the gradients keep
     * their size and a step costs the same throughout (a net that fits its data drives gradients subnormal, which
     * slows the arithmetic and would time the fit, not the step).
     */
    static DataSet[] noise(long seed, int batches, int batchSize, int features, int classes) {
        SplittableRandom random = new SplittableRandom(seed);
        DataSet[] out = new DataSet[batches];
        for (int b = 0; b < batches; b++) {
            float[][] x = new float[batchSize][features];
            float[][] y = new float[batchSize][classes];
            for (int i = 0; i < batchSize; i++) {
                for (int j = 0; j < features; j++) {
                    x[i][j] = (float) (random.nextDouble() * 2 - 1);
                }
                y[i][random.nextInt(classes)] = 1;
            }
            out[b] = new DataSet(Nd4j.create(x), Nd4j.create(y));
        }
        return out;
    }

    /** Two ReLU layers with the given dropout on each (null: none), softmax output, Adam. */
    static MultiLayerConfiguration conf(long seed, int features, int hidden, int classes, IDropout first,
                                        IDropout second) {
        return conf(seed, features, hidden, classes, Activation.RELU, first, second);
    }

    /** Two hidden layers of the given activation with the given dropout on each (null: none), softmax output, Adam. */
    static MultiLayerConfiguration conf(long seed, int features, int hidden, int classes, Activation activation,
                                        IDropout first, IDropout second) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nIn(features).nOut(hidden).activation(activation)
                        .dropOut(first).build())
                .layer(new DenseLayer.Builder().nIn(hidden).nOut(hidden).activation(activation)
                        .dropOut(second).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    static MultiLayerNetwork network(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** {@code steps} full-batch training steps; returns the parameters afterwards, as float32 bits. */
    static float[] train(MultiLayerNetwork net, DataSet data, int steps) {
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
        INDArray params = net.params();
        return params.dup().data().asFloat();
    }
}
