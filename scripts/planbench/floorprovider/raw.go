package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// rawServer serves floor_raw on terraform-plugin-go directly, with the
// attribute shape of floor_shaped, and hands every other request to the
// framework server. It measures what the plugin protocol and Terraform core
// cost for this shape when the provider side does the least it can: decode
// and re-encode each value, nothing more.
type rawServer struct {
	tfprotov6.ProviderServer
}

const rawType = "floor_raw"

var rawSchema = func() *tfprotov6.Schema {
	attrs := []*tfprotov6.SchemaAttribute{{Name: "id", Type: tftypes.String, Computed: true}}
	for _, n := range shapedAttributes {
		attrs = append(attrs, &tfprotov6.SchemaAttribute{Name: n, Type: tftypes.String, Computed: true})
	}
	attrs = append(attrs, &tfprotov6.SchemaAttribute{Name: "timeouts", Optional: true, NestedType: &tfprotov6.SchemaObject{
		Nesting: tfprotov6.SchemaObjectNestingModeSingle,
		Attributes: []*tfprotov6.SchemaAttribute{
			{Name: "create", Type: tftypes.String, Optional: true},
			{Name: "update", Type: tftypes.String, Optional: true},
		}}})
	return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{Attributes: attrs}}
}()

var rawValueType = rawSchema.ValueType()

func (s rawServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp, err := s.ProviderServer.GetMetadata(ctx, req)
	if resp != nil {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: rawType})
	}
	return resp, err
}

func (s rawServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := s.ProviderServer.GetProviderSchema(ctx, req)
	if resp != nil {
		resp.ResourceSchemas[rawType] = rawSchema
	}
	return resp, err
}

func (s rawServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if req.TypeName != rawType {
		return s.ProviderServer.ValidateResourceConfig(ctx, req)
	}
	if _, err := req.Config.Unmarshal(rawValueType); err != nil {
		return nil, err
	}
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (s rawServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName != rawType {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	v, err := req.RawState.UnmarshalWithOpts(rawValueType, tfprotov6.UnmarshalOpts{})
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(rawValueType, v)
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, err
}

func (s rawServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName != rawType {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	v, err := req.CurrentState.Unmarshal(rawValueType)
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(rawValueType, v)
	return &tfprotov6.ReadResourceResponse{NewState: &dv, Private: req.Private}, err
}

func (s rawServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName != rawType {
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	// Every attribute is computed and kept: the proposed new state (prior
	// state merged with config) is the plan.
	v, err := req.ProposedNewState.Unmarshal(rawValueType)
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(rawValueType, v)
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: &dv, PlannedPrivate: req.PriorPrivate}, err
}
