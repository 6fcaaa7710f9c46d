package store

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// BatchGetItem and BatchWriteItem take at most this many keys, and writes, a call.
const (
	batchGetSize   = 100
	batchWriteSize = 25
)

// batchAttempts bounds the calls for the items a batch left unprocessed.
const batchAttempts = 5

var errUnprocessed = errors.New("items still unprocessed after retries")

// getItems reads items by key with BatchGetItem, retrying unprocessed keys; missing
// items are left out. Consistent reads: these feed authorization decisions.
func (s *Store) getItems(ctx context.Context, keys []key) ([]map[string]types.AttributeValue, error) {
	return s.batchGet(ctx, keys, true)
}

// getSnapshot is getItems for what a page only shows: eventually consistent, at half
// the RRU, as list pages are.
func (s *Store) getSnapshot(ctx context.Context, keys []key) ([]map[string]types.AttributeValue, error) {
	return s.batchGet(ctx, keys, false)
}

// distinct answers keys without repeats, in first-seen order.
func distinct(keys []key) []key {
	seen := make(map[key]bool, len(keys))
	out := make([]key, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (s *Store) batchGet(ctx context.Context, keys []key, consistent bool) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	keys = distinct(keys) // BatchGetItem refuses a key twice
	for chunk := range slices.Chunk(keys, batchGetSize) {
		avs := make([]map[string]types.AttributeValue, len(chunk))
		for i, k := range chunk {
			avs[i] = k.av()
		}
		request := map[string]types.KeysAndAttributes{s.table: {Keys: avs, ConsistentRead: aws.Bool(consistent)}}
		for attempt := 0; len(request) > 0; attempt++ {
			if attempt == batchAttempts {
				return nil, apperr.Wrap(errUnprocessed, "batch get")
			}
			if err := backOff(ctx, attempt, batchStep); err != nil {
				return nil, apperr.Wrap(err, "batch get")
			}
			res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, apperr.Wrap(err, "batch get")
			}
			out = append(out, res.Responses[s.table]...)
			request = res.UnprocessedKeys
		}
	}
	return out, nil
}

// putItems writes standalone items whatever is there, with BatchWriteItem.
func (s *Store) putItems(ctx context.Context, items []map[string]types.AttributeValue) error {
	return s.writeBatches(ctx, putRequests(items), "batch put", batchAttempts)
}

// deleteItems removes items whether or not they are there, with BatchWriteItem: for
// cleanup, where each item stands alone.
func (s *Store) deleteItems(ctx context.Context, keys []key) error {
	writes := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		writes[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k.av()}}
	}
	return s.writeBatches(ctx, writes, "batch delete", batchAttempts)
}

func putRequests(items []map[string]types.AttributeValue) []types.WriteRequest {
	writes := make([]types.WriteRequest, len(items))
	for i, item := range items {
		writes[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
	}
	return writes
}

// writeBatches sends writes a batch at a time, calling again for the unprocessed ones
// with a growing pause, at most attempts calls a batch.
func (s *Store) writeBatches(ctx context.Context, writes []types.WriteRequest, what string, attempts int) error {
	for batch := range slices.Chunk(writes, batchWriteSize) {
		request := map[string][]types.WriteRequest{s.table: batch}
		for attempt := 0; len(request) > 0; attempt++ {
			if attempt == attempts {
				return apperr.Wrap(errUnprocessed, what)
			}
			if err := backOff(ctx, attempt, batchStep); err != nil {
				return apperr.Wrap(err, what)
			}
			res, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: request})
			if err != nil {
				return apperr.Wrap(err, what)
			}
			request = res.UnprocessedItems
		}
	}
	return nil
}
