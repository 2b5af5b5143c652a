// Package appscanner implements AppScanner (Taylor et al., EuroS&P 2016)
// as re-implemented by the FlowPrint authors (R1, pcap input) and adapted
// by the MAppGraph authors to CSV chunks with voting (R2): packets are cut
// into bursts at silences longer than a gap (1 s), each burst into flows by
// (burst, local endpoint, remote endpoint), each flow is described by 54
// statistics of its signed packet lengths, and a random forest
// (package forest) classifies flows.
//
// Extraction follows the references exactly, quirks included: the first
// packet of the input is dropped, incoming lengths are negative and their
// statistics are computed on the negative values, "private" follows
// Python's ipaddress table, and undefined statistics become 0. PcapFlows has R1's input semantics
// (IPv4 TCP only, time-sorted), CSVFlows R2's (port filter, every
// protocol, file order).
//
// Classification: Classifier labels flows with the forest's most probable
// class, or Unknown when its probability is below a confidence threshold
// (R1; R2 uses none). A chunk's label is the most frequent flow label
// (VoteFlows); several classifiers trained on disjoint slices of the
// training data vote on their chunk labels (VoteModels), as the MAppGraph
// authors' enhanced AppScanner does.
package appscanner
