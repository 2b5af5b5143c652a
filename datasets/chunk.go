package datasets

// Chunk is a time window of one capture's packets: the unit that the
// harness labels, splits and hands to methods.
type Chunk struct {
	// App is the label of the capture the chunk was cut from.
	App string
	// Capture identifies the source capture (its path, or its name in a
	// manifest). Per-capture splits keep all chunks of one capture together.
	Capture string
	// Index is the 1-based position of the chunk within its capture, as in
	// the MAppGraph sample file names.
	Index int
	// Start and Stop are the window bounds in seconds since the epoch; a
	// packet belongs to the chunk when Start <= t <= Stop.
	Start, Stop float64
	// Packets are the packets of the window in capture order.
	Packets []Packet
}
