// Package mappgraph implements MAppGraph (Pham et al., ACSAC 2021): a graph
// per traffic chunk with destinations as nodes, 63 statistical node
// features and co-activity edge weights, read and written in the processed
// graph format of the reference, and classified by a deep graph
// convolutional network (see the dgcnn sub-package).
//
// # Graph construction
//
// Build (or a reusable Builder) turns the packets of one chunk into a
// Graph following mappgraph.md §5 with the semantics of the published
// notebook (pandas/NumPy): DNS, mDNS, NetBIOS, DHCP and LLMNR packets are
// dropped, the lower port is the service side (equal ports are dropped),
// the MaxNodes (IP, port) destinations with the most packets are kept,
// each gets 18 statistics of its complete, outgoing and incoming packet
// lengths, destinations without outgoing or incoming packets are dropped
// (inner joins), five flow features and the four IP octets are added, and
// every pair of nodes is weighted by the number of time slices in which
// both are active, isolated nodes removed, weights min-max normalised.
// BuildGraphs applies the keep rule (more than one edge row) and numbers
// the kept graphs of an app. Chunks without a graph give ErrEmpty,
// ErrSkipped or ErrDegenerate.
//
// The construction reproduces the reference bit for bit on the project's
// golden chunks, including orders the reference leaves to NumPy's unstable
// quicksort: node order among equal packet counts, edge row order among
// equal co-activity counts, and the order of packets inside a destination
// (which decides the last bits of sums). Choices where the specification
// is open:
//   - times are the float64 seconds that parsing the CSV text gives (not
//     Packet.Seconds, which rounds twice);
//   - a packet with a negative Stream (unknown) belongs to no flow, as an
//     empty stream_id in the reference;
//   - a chunk with no packet left after the port filter and the
//     service-side rule is ErrSkipped (the reference fails on the empty
//     frames, spec §5.11), a node that is not a dotted IPv4 address is
//     ErrSkipped (the octet parsing fails); a chunk whose destinations all
//     lack outgoing packets, incoming packets or flows gives empty joins,
//     not a failure, and is ErrDegenerate like any graph with at most one
//     edge row;
//   - all-equal weights give NaN weights (0/0), kept as in the reference.
//
// # Processed format
//
// ReadGraphs, ReadProcessed and WriteGraphs read and write the
// features.csv/weights.csv pairs of §7 byte for byte as pandas writes them
// (Python float repr, NaN as an empty field, node keys as quoted tuple
// text). Graph.Scaled tells the writer whether integer-typed features are
// printed as integers (graphs before standardisation) or as floats.
//
// # Standardisation
//
// FitStandardizer pools the training nodes of all apps and Standardizer.Apply
// standardises every feature except protocol with those statistics and
// divides the octets by 255 once (what the shipped files show). FeatureNames
// lists the 63 features; WithoutIP gives the 59-feature variant of the
// paper's Figure 9.
package mappgraph
