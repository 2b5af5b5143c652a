package bench

import (
	"context"
)

// datasetKind is one kind of dataset (the dataset.kind key). A new kind is
// one file: a type implementing datasetKind and either packetKind or
// givenKind, entered in kinds.
type datasetKind interface {
	// apps lists the dataset's apps without reading traffic, for the
	// preflight; errors point into the cell's experiment file.
	apps(c *Cell) ([]string, error)
}

// packetKind is a dataset of captures: the harness reads, chunks and
// featurises them.
type packetKind interface {
	datasetKind
	// sources lists the captures of the cell's dataset (every app), with
	// notes on the files it skips. A source with a path has its
	// features kept in the feature cache.
	sources(ctx context.Context, c *Cell) ([]source, []string, error)
}

// givenKind is a dataset that gives its samples and split as they are
// (processed graphs).
type givenKind interface {
	datasetKind
	// load reads the dataset (every app: cells select theirs).
	load(c *Cell) (*data, error)
}

// kinds are the dataset kinds by name.
var kinds = map[string]datasetKind{
	KindSynth:  synthKind{},
	KindCorpus: corpusKind{},
	KindGraphs: graphsKind{},
}
