// Requests that look inside the model: filters, feature maps, Grad-CAM (owned by the inspect feature).
export interface InspectRequests {}
