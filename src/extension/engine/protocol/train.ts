// Training requests and their events (owned by the training feature).
export interface TrainRequests {}
