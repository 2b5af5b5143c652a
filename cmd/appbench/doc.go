// Command appbench classifies mobile apps from their network traffic and
// benchmarks classification methods against each other.
//
//	appbench run [experiment.yaml]     run an experiment, print its table
//	appbench report DIR                merge result files into tables and plots
//	appbench classify --model M CAP... classify captures with a saved model
//	appbench methods                   list the registered methods
//	appbench synth -o DIR              write the synthetic corpus
//	appbench convert IN -o OUT.csv     capture -> MAppGraph packet CSV
//	appbench inspect FILE...           summarise captures
//	appbench flowprint ...             FlowPrint's original command line
//	appbench version                   build version
//
// Output files are written with internal/atomicfile (regular files
// atomically, links followed, devices, FIFOs and "-" directly). The exit
// status is 0 on success, 2 after a command-line argument error that its
// command printed with a usage line (flowprint, as argparse), 1 otherwise.
//
// Each subcommand lives in its own file and adds itself to the root command
// from an init function.
package main
