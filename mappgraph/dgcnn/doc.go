// Package dgcnn implements the deep graph convolutional neural network
// (DGCNN, Zhang et al. 2018) that MAppGraph uses to classify traffic graphs,
// as configured by the reference notebook (StellarGraph 1.2.1 DeepGraphCNN
// on Keras/TensorFlow 2.6): graph convolution layers H_l = tanh((Â H_{l-1}) W_l)
// without bias, concatenation of all layer outputs, SortPooling of the k
// nodes with the largest last channel, Conv1D(kernel = stride = total
// channels), MaxPool1D(2), Conv1D(kernel 5), Dense+ReLU, Dropout and a
// softmax output trained with categorical cross-entropy and Adam.
//
// Everything is float32 with explicit forward and backward passes. Dense
// algebra goes through the small GEMM interface: the default is gonum's pure
// Go Sgemm; building with the "openblas" tag (and cgo) switches to OpenBLAS
// through gonum.org/v1/netlib, about 7x faster per training step here. On
// a machine shared with other work, limit OpenBLAS to one thread
// (SetBLASThreads(1) or OPENBLAS_NUM_THREADS=1): its spinning threads
// otherwise slow a step down several times.
//
// Training is deterministic for a seed: per-graph work runs in parallel over
// a bounded number of workers, but every reduction (weight gradients, bias
// sums, losses) happens in a fixed order, so the weights after any number of
// steps do not depend on the worker count.
//
// Choices where the specification leaves room (documented at the fields of
// Config and AdjacencyOptions): NaN edge weights count as 0 in the weighted
// adjacency; max-pooling ties send the gradient to the first maximal
// position; the last, partial batch of an epoch is used as in Keras.
package dgcnn
